namespace Verify.Verification;

/// <summary>When the verifier refines intermediate bounds by MIP (<see cref="Solvers.MipRefinement"/>).</summary>
/// <param name="UpFrontSeconds">Seconds to refine before alpha-CROWN and branch and bound (at most 80% of the time left); 0: not up front.</param>
/// <param name="AfterFirstSlice">Refine when a first slice of ReLU splitting does not decide the property, then search again (<see cref="RefinedReluSearch"/>).</param>
/// <param name="FirstSliceShare">Share of the time limit the first slice of ReLU splitting gets.</param>
/// <param name="RefineShare">Largest share of the time left after the first slice that the refinement may take.</param>
/// <param name="Schedule">How the refinement's time goes to nodes and neurons.</param>
/// <param name="NearestBinaries">Binaries per refined neuron in the activation just below it (0: all; see <see cref="Solvers.MipRefineOptions.NearestBinaries"/>).</param>
/// <param name="ExactLayers">Activation layers below a refined node that get binaries (0: all; see <see cref="Solvers.MipRefineOptions.ExactLayers"/>).</param>
public sealed record MipRefinePolicy(double UpFrontSeconds = 0, bool AfterFirstSlice = true, double FirstSliceShare = 0.1,
    double RefineShare = 0.75, MipRefineSchedule Schedule = MipRefineSchedule.Spread,
    int ExactLayers = Solvers.MipRefineOptions.DefaultExactLayers, int NearestBinaries = Solvers.MipRefineOptions.DefaultNearestBinaries)
{
    /// <summary>The refinement options of one case with the given budget, for this policy's schedule.</summary>
    public Solvers.MipRefineOptions Options(double seconds, int batchIndex, Bounds.OptimizationOptions reoptimize) =>
        Schedule == MipRefineSchedule.Spread
            ? new(seconds, NeuronSeconds: 2, BatchIndex: batchIndex, Reoptimize: reoptimize, SpreadOverNodes: true, ExactLayers: ExactLayers, NearestBinaries: NearestBinaries)
            : new(seconds, NeuronSeconds: 5, BatchIndex: batchIndex, Reoptimize: reoptimize, SpreadOverNodes: false, ExactLayers: ExactLayers, NearestBinaries: NearestBinaries);

    /// <summary>
    /// The default: refinement after a first slice of 10% of the time, for up to 75% of the rest, spread over the
    /// layers, with binaries only in the activation layer just below each refined neuron, 24 of them per neuron.
    /// </summary>
    public static MipRefinePolicy Automatic { get; } = new();

    /// <summary>No refinement.</summary>
    public static MipRefinePolicy Off { get; } = new(0, AfterFirstSlice: false);

    /// <summary>Refinement before the bounds and the search, for the given seconds.</summary>
    public static MipRefinePolicy UpFront(double seconds) => new(seconds, AfterFirstSlice: false);
}

/// <summary>How MIP refinement spends its time (measured in docs/benchmarks.md).</summary>
public enum MipRefineSchedule
{
    /// <summary>Node by node, each finished before the next, neurons nearest to stable first, 5 s per solve.</summary>
    Layers,

    /// <summary>
    /// Each node gets an equal share of the time left, 2 s per solve, and the last node's neurons go by their effect on
    /// the property's bound (BaBSR score); reaches the nodes nearest the output within the budget, and sweeps the nodes
    /// again while time is left.
    /// </summary>
    Spread,
}
