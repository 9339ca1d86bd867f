using Verify.Bounds;

namespace Verify.Branching;

/// <summary>Options of branch and bound.</summary>
/// <param name="BatchSize">Domains bounded together in one batched pass.</param>
/// <param name="MaxDomains">Memory cap: the search gives up (unknown) when more domains than this are pending.</param>
/// <param name="RecomputeIntermediate">ReLU splitting: recompute intermediate bounds by CROWN with the splits (tighter, slower) instead of only clamping the parent's.</param>
/// <param name="ExactLeafUnstable">ReLU splitting: a domain with at most this many unstable ReLUs left is decided exactly by SCIP instead of being split further.</param>
/// <param name="WorstFirst">ReLU splitting: expand the domains with the lowest bound first (best-first for a proof); false expands them in creation order (breadth-first).</param>
/// <param name="InputSplitCrownIntermediate">Input splitting: tighten the forward linear intermediate bounds by backward CROWN (fewer domains, costlier steps).</param>
/// <param name="WarmStartAlpha">ReLU splitting: each domain starts its alpha optimisation from its parent's best alphas.</param>
/// <param name="Branching">ReLU splitting: how the neuron to split is chosen.</param>
/// <param name="FsbCandidates">ReLU splitting with <see cref="BranchingRule.Fsb"/>: BaBSR candidates per domain whose children are estimated.</param>
public sealed record BabOptions(
    int BatchSize = 1024,
    int MaxDomains = 400_000,
    bool RecomputeIntermediate = false,
    int ExactLeafUnstable = 6,
    bool WorstFirst = true,
    bool InputSplitCrownIntermediate = true,
    bool WarmStartAlpha = true,
    BranchingRule Branching = BranchingRule.BaBsr,
    int FsbCandidates = 8)
{
    /// <summary>alpha/beta optimisation per step (0 iterations: plain CROWN).</summary>
    public OptimizationOptions Optimization { get; init; } = OptimizationOptions.PerStep;

    /// <summary>
    /// Memory limit in bytes: the search stops (unknown, "memory limit") instead of growing its domain store when the
    /// process's resident memory plus the next step's estimated growth would pass it; by default
    /// <see cref="MemoryUse.DefaultShare"/> of physical memory.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = MemoryUse.DefaultLimitBytes();

    /// <summary>
    /// Input splitting (and the verifier's root bounds of networks with few inputs): backward CROWN of every neuron
    /// tightens the forward intermediate bounds, and alpha optimises the step's bounds, only while that estimated cost
    /// over the batch stays below this many multiply-accumulates (deep, wide networks with one input would otherwise cost
    /// the square of their depth per step; splitting them is cheaper). Above it, CROWN re-bounds only the neurons actually
    /// inexact, for the boxes this budget (capped at a quarter of the forward pass) pays for (<see cref="Bounds.SelectiveCrown"/>).
    /// </summary>
    public double CrownIntermediateMaxMacs { get; init; } = FewInputBounds.DefaultMaxCrownMacs;

    /// <summary>
    /// Estimated memory of one step's bound pass over its batch: fewer than <see cref="BatchSize"/> domains are bounded
    /// at once where the network's layers are wide (convolutional); 2 GiB by default.
    /// </summary>
    public long MaxStepBytes { get; init; } = 2L << 30;

    /// <summary>The step's share actually used: <see cref="MaxStepBytes"/>, at most half of <see cref="MaxMemoryBytes"/>.</summary>
    public long StepBytes => Math.Min(MaxStepBytes, MaxMemoryBytes / 2);

    /// <summary>Splitting of smooth activations (<see cref="IntervalSplitBab"/>): where an interval is split.</summary>
    public SplitPointRule SplitPoint { get; init; } = SplitPointRule.MinArea;
}
