namespace Verify.Lipschitz;

/// <summary>One method's figures.</summary>
/// <param name="Method">The method.</param>
/// <param name="Upper">Certified upper bound per analysed output.</param>
/// <param name="Exact">Per output: the bound is the exact value (MILP optimal, or branch-and-bound completed).</param>
/// <param name="Seconds">Wall-clock seconds (forward bounds included).</param>
/// <param name="Detail">Free-form detail (domains, unreachable leaves, skipped outputs), empty when none.</param>
public sealed record MethodFigures(LipschitzMethod Method, double[] Upper, bool[] Exact, double Seconds, string Detail)
{
    /// <summary>The bound of the overall constant (max over the analysed outputs).</summary>
    public double OverallUpper => Upper.Max();

    /// <summary>True when the overall bound is exact: the output attaining it is exact and every other is below it.</summary>
    public bool OverallExact => Upper.Select((u, i) => (u, i)).Where(p => p.u == OverallUpper).Any(p => Exact[p.i]);
}

/// <summary>A provably monotone input-output pair: ∂f_j/∂x_i keeps its sign over the region.</summary>
/// <param name="Output">Output index j.</param>
/// <param name="Input">Input index i.</param>
/// <param name="Lower">Lower bound of ∂f_j/∂x_i.</param>
/// <param name="Upper">Upper bound of ∂f_j/∂x_i.</param>
public sealed record MonotonePair(int Output, int Input, double Lower, double Upper)
{
    /// <summary>True for non-decreasing, false for non-increasing.</summary>
    public bool Increasing => Lower >= 0;
}

/// <summary>Outcome of a local Lipschitz analysis (l∞ → l∞, i.e. max_j ‖∇f_j‖₁ over the box).</summary>
/// <param name="Outputs">The analysed outputs.</param>
/// <param name="Lower">Sampled lower bound per analysed output (a value attained in the box).</param>
/// <param name="SamplingSeconds">Time of the sampled lower bound.</param>
/// <param name="Methods">Each method's figures.</param>
/// <param name="Monotone">Provably monotone pairs (from CROWN on the Jacobian graph).</param>
/// <param name="UnstableNeurons">Unstable ReLUs (or non-constant-slope smooth neurons) under the forward bounds.</param>
public sealed record LipschitzReport(int[] Outputs, double[] Lower, double SamplingSeconds, IReadOnlyList<MethodFigures> Methods,
    IReadOnlyList<MonotonePair> Monotone, int UnstableNeurons)
{
    /// <summary>The overall sampled lower bound.</summary>
    public double OverallLower => Lower.Max();
}
