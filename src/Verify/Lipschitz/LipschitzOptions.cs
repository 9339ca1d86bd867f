namespace Verify.Lipschitz;

/// <summary>Options of a local Lipschitz analysis.</summary>
/// <param name="Methods">Methods to run, in the order reported.</param>
/// <param name="Output">The one output analysed, or null for all.</param>
/// <param name="TimeoutSeconds">Time limit of each of the MILP and the branch-and-bound (shared by their outputs).</param>
/// <param name="OverallOnly">
/// Only the overall constant (max over outputs) must be exact: outputs that cannot beat a value already attained are
/// skipped by the MILP and pruned by the branch-and-bound; their per-output figures stay sound but may be loose.
/// </param>
/// <param name="Sampling">Options of the sampled lower bound.</param>
/// <param name="BabBatchSize">Domains split per branch-and-bound iteration.</param>
/// <param name="ForwardOptimization">
/// alpha-CROWN for the forward pre-activation bounds (fewer unstable ReLUs for every method), or null for plain CROWN.
/// </param>
/// <param name="MipTimeoutSeconds">The MILP's own time limit, when it differs from <paramref name="TimeoutSeconds"/>.</param>
public sealed record LipschitzOptions(
    IReadOnlyList<LipschitzMethod> Methods,
    int? Output = null,
    double TimeoutSeconds = 60,
    bool OverallOnly = false,
    SamplingOptions? Sampling = null,
    int BabBatchSize = 32,
    double? MipTimeoutSeconds = null,
    Verify.Bounds.OptimizationOptions? ForwardOptimization = null);
