namespace Verify.Lipschitz;

/// <summary>Outcome of the branch-and-bound for one output.</summary>
/// <param name="Upper">Certified upper bound of max ‖∇f_j‖₁ over the box.</param>
/// <param name="Lower">Largest value attained (the incumbent: sampled, or a reachable fully split domain).</param>
/// <param name="Complete">True when no domain was left open (the upper bound is then the exact value).</param>
/// <param name="Domains">Domains bounded.</param>
/// <param name="UnreachableLeaves">Fully split domains dropped as unreachable.</param>
public sealed record LipschitzBabResult(double Upper, double Lower, bool Complete, int Domains, int UnreachableLeaves);
