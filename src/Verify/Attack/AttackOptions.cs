namespace Verify.Attack;

/// <summary>Options of the PGD counterexample search.</summary>
/// <param name="Steps">Gradient steps per restart.</param>
/// <param name="Restarts">Random starts per (box, disjunct); the first start is the box centre.</param>
/// <param name="InitialStep">First step size as a fraction of each input's interval width (decays linearly).</param>
/// <param name="Seed">Seed of the random starts.</param>
/// <param name="PerDisjunct">Attack every disjunct on its own (targeted); false attacks each case once, on the smallest
/// violation over its disjuncts (untargeted: for robustness of many images, one start per image and restart).</param>
/// <param name="StopAtFirst">Stop all starts as soon as one point is unsafe (one counterexample decides a property);
/// false runs every step, so that each case gets its own answer.</param>
/// <param name="MaxPoints">Largest number of points in one batched step: with many (case, disjunct) entries, PGD runs
/// fewer restarts (at least one) so that a step stays within it, and the probe evaluates its points in chunks of it.</param>
/// <param name="ProbePoints">Points per case of <see cref="VertexProbe"/> besides the box centre (vertices and uniform
/// points); 0 skips the probe.</param>
public sealed record AttackOptions(int Steps = 60, int Restarts = 8, double InitialStep = 0.25, long Seed = 1234,
    bool PerDisjunct = true, bool StopAtFirst = true, int MaxPoints = 1024, int ProbePoints = 16);
