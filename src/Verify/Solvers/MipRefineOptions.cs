namespace Verify.Solvers;

/// <summary>Options of <see cref="MipRefinement"/>.</summary>
/// <param name="Seconds">Wall-clock budget of the whole refinement.</param>
/// <param name="NeuronSeconds">Time limit of one solve (one side of one neuron); deep nodes' solves mostly stop at it.</param>
/// <param name="Threads">SCIP solves run in parallel, each on its own copy of the model; 0 uses every core.</param>
/// <param name="Gap">A solve stops once its absolute or relative gap is at most this; its dual bound is what counts.</param>
/// <param name="BatchIndex">Which batch entry of the given bounds belongs to the box.</param>
/// <param name="BoundSlack">Relative widening of every intermediate bound before it enters the MIP.</param>
/// <param name="Reoptimize">When given, the later nodes are re-bounded after each refined node by alpha-CROWN with
/// these options (on top of CROWN), which leaves fewer neurons unstable for the next node's MIPs.</param>
/// <param name="SpreadOverNodes">Each node may use at most an equal share of the time left (its own and the later
/// nodes'), so that the nodes nearest the output are refined too, and time left after a sweep over the nodes goes to
/// further sweeps (neurons not reached yet, and nodes whose bounds below were tightened since); otherwise a node keeps
/// solving until it is done, in one sweep.</param>
/// <param name="ExactLayers">Activation layers below a refined node that get binaries, nearest first (0: all); the
/// farther ones enter by their triangle relaxation, which makes deep nodes' solves smaller and looser.</param>
/// <param name="NearestBinaries">When positive, each refined neuron keeps binaries only for this many unstable neurons
/// of the activation just below it, those with the largest |weight|·intercept (<see cref="PartialBinaries"/>); 0: all.</param>
public sealed record MipRefineOptions(double Seconds, double NeuronSeconds = 5, int Threads = 0, double Gap = 1e-2,
    int BatchIndex = 0, double BoundSlack = NodeBoundArrays.DefaultSlack, Bounds.OptimizationOptions? Reoptimize = null,
    bool SpreadOverNodes = false, int ExactLayers = MipRefineOptions.DefaultExactLayers, int NearestBinaries = MipRefineOptions.DefaultNearestBinaries)
{
    /// <summary>The default of <see cref="ExactLayers"/>: binaries in the nearest activation layer only (measured best on MNIST-FC, docs/benchmarks.md).</summary>
    public const int DefaultExactLayers = 1;

    /// <summary>The default of <see cref="NearestBinaries"/> (measured best of 0, 24 and 64 on MNIST-FC, docs/benchmarks.md).</summary>
    public const int DefaultNearestBinaries = 24;

    /// <summary>The number of parallel solves in effect.</summary>
    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
