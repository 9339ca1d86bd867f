namespace Verify.Attack;

/// <summary>Options of the PGD counterexample search.</summary>
/// <param name="Steps">Gradient steps per restart.</param>
/// <param name="Restarts">Random starts per (box, disjunct); the first start is the box centre.</param>
/// <param name="InitialStep">First step size as a fraction of each input's interval width (decays linearly).</param>
/// <param name="Seed">Seed of the random starts.</param>
public sealed record AttackOptions(int Steps = 60, int Restarts = 8, double InitialStep = 0.25, long Seed = 1234);
