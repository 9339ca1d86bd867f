namespace Verify.Verification;

/// <summary>What one bound method proved: a lower bound of every disjunct's margin, per case.</summary>
/// <param name="Method">Name of the method ("ibp", "crown").</param>
/// <param name="DisjunctLower">[case][disjunct] lower bound of the disjunct's margin (&gt; 0 refutes the disjunct).</param>
/// <param name="Proved">True when every disjunct of every case is refuted.</param>
/// <param name="Seconds">Time the method took.</param>
public sealed record MethodBounds(string Method, double[][] DisjunctLower, bool Proved, double Seconds)
{
    /// <summary>The atom margins' lower bounds [cases, disjuncts·atoms] as a tensor (engine-internal; may be null).</summary>
    public TorchSharp.torch.Tensor? AtomLower { get; init; }
}
