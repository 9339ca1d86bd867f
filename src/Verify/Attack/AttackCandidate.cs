namespace Verify.Attack;

/// <summary>A point found by the attack for one disjunct of one case.</summary>
/// <param name="Case">Index of the property case (input box).</param>
/// <param name="Disjunct">Index of the disjunct within the case (an untargeted attack: the disjunct nearest to hold).</param>
/// <param name="Input">The input point, flattened in C order.</param>
/// <param name="Violation">Largest atom margin at the point under our own forward pass; &lt;= 0 means unsafe.</param>
public sealed record AttackCandidate(int Case, int Disjunct, double[] Input, double Violation);
