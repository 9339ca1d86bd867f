using System.Diagnostics;
using Verify.Bounds;
using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// Intermediate bounds tightened by exact MIPs (big-M, SCIP), node by node over the pre-activation nodes that are not
/// affine maps of the input (CROWN's bounds of those are exact already):
/// each unstable neuron is minimised and maximised over the network below it, whose unstable ReLUs are binaries with
/// big-M constants from the already refined nodes, and the solver's dual bound is kept. After each node the later
/// nodes are re-bounded by CROWN from the refined ones, so that fewer neurons reach the next MIPs unstable. Neurons
/// left when the time runs out keep their bounds.
/// </summary>
public static class MipRefinement
{
    /// <summary>
    /// Largest number of weights (entries of the linear operators' explicit matrices) of a network refined
    /// automatically; each solver holds its own copy of them. MNIST-FC 256x6 has 0.53 million.
    /// </summary>
    public const long MaxAutomaticWeights = 5_000_000;

    /// <summary>Whether the network can be encoded and is small enough for automatic refinement.</summary>
    public static bool Suits(ComputationGraph graph)
    {
        if (!NetworkEncoder.Supports(graph)) return false;
        long weights = 0;
        foreach (var n in graph.Nodes.Where(n => n.Index > 0 && !n.Op.NeedsInputBounds))
            weights += n.Numel * n.Inputs.Sum(i => graph.Nodes[i].Numel);
        return weights <= MaxAutomaticWeights;
    }

    /// <summary>
    /// Refines batch entry <see cref="MipRefineOptions.BatchIndex"/> of <paramref name="bounds"/> (sound bounds of
    /// every node of <paramref name="graph"/> over the box [<paramref name="lower"/>, <paramref name="upper"/>]).
    /// <paramref name="sufficient"/>, when given, is asked after each refined node whether the bounds so far are good
    /// enough (e.g. they prove the property); refinement then stops. <paramref name="importance"/>, when given, scores
    /// the neurons of a node (flat, under the bounds so far): the highest scores are solved first, ties nearest to
    /// stable first; without scores (or when it returns null) the neurons nearest to stable go first.
    /// </summary>
    public static MipRefineResult Tighten(ComputationGraph graph, double[] lower, double[] upper,
        IReadOnlyList<IntervalBounds> bounds, MipRefineOptions options, Func<IntervalBounds[], bool>? sufficient = null,
        CancellationToken cancel = default, Func<IntervalBounds[], int, double[]?>? importance = null)
    {
        var sw = Stopwatch.StartNew();
        var result = bounds.ToArray();
        var layers = new List<MipRefineLayer>();
        int rejected = 0;
        bool enough = false;
        double Remaining() => cancel.IsCancellationRequested ? 0 : options.Seconds - sw.Elapsed.TotalSeconds;
        using var scope = torch.NewDisposeScope();
        var g = graph.To(CPU, ScalarType.Float64);
        var centre = torch.tensor(lower.Zip(upper, (l, u) => (l + u) / 2).ToArray(), dtype: ScalarType.Float64)
            .reshape(ComputationGraph.Batched(1, g.InputShape));
        var atCentre = g.ForwardAll(centre);
        var nodes = LpRelaxation.PreActivationNodes(g).ToArray();
        // Spread over nodes, time left after a sweep goes to further sweeps: the neurons not reached yet, and those of
        // nodes whose bounds below were tightened since they were solved. A node's visits are counted by `tick`.
        var attempted = nodes.Select(n => new bool[g.Nodes[n].Numel]).ToArray();
        var visited = Enumerable.Repeat(-1, nodes.Length).ToArray();
        var changed = Enumerable.Repeat(-1, nodes.Length).ToArray();
        int tick = 0;
        for (int sweep = 0; Remaining() > 0 && !enough && (sweep == 0 || options.SpreadOverNodes); sweep++)
        {
            int sweepSolves = 0;
            for (int step = 0; step < nodes.Length && Remaining() > 0; step++)
            {
                int node = nodes[step];
                var started = sw.Elapsed.TotalSeconds;
                var lo = NodeBoundArrays.Flat(result[node].Lower, options.BatchIndex);
                var hi = NodeBoundArrays.Flat(result[node].Upper, options.BatchIndex);
                bool belowChanged = Enumerable.Range(0, step).Any(j => changed[j] > visited[step]);
                var tried = attempted[step];
                var open = Enumerable.Range(0, lo.Length).Where(k => lo[k] < 0 && hi[k] > 0).ToArray();
                var candidates = open.Where(k => belowChanged || !tried[k]).ToArray();
                if (candidates.Length == 0) continue;
                visited[step] = ++tick;
                var score = importance?.Invoke(result, node);
                var unstable = candidates.OrderBy(k => tried[k]).ThenByDescending(k => score?[k] ?? 0)
                    .ThenBy(k => Math.Min(-lo[k], hi[k])).ToArray();
                // Each node gets an equal share of the time left, so the last ones are not starved; unused time rolls over.
                double nodeEnd = options.SpreadOverNodes ? started + Remaining() / (nodes.Length - step) : double.PositiveInfinity;
                double Left() => Math.Min(Remaining(), nodeEnd - sw.Elapsed.TotalSeconds);
                var value = atCentre[node].reshape(-1).data<double>().ToArray();
                var (newLo, newHi, solves, wrong) = SolveNeurons(g, lower, upper, result, node, unstable, lo, hi, value, tried, options, Left, cancel);
                rejected += wrong;
                sweepSolves += solves;
                if (Enumerable.Range(0, lo.Length).Any(k => newLo[k] > lo[k] || newHi[k] < hi[k])) changed[step] = tick;
                var b = result[node];
                result[node] = new IntervalBounds(
                    LpRelaxation.Replace(b.Lower, options.BatchIndex, newLo, -1),
                    LpRelaxation.Replace(b.Upper, options.BatchIndex, newHi, 1));
                int after = Enumerable.Range(0, lo.Length).Count(k => newLo[k] < 0 && newHi[k] > 0);
                layers.Add(new MipRefineLayer(node, open.Length, after, solves, sw.Elapsed.TotalSeconds - started));
                if (step + 1 < nodes.Length)
                {
                    result = Rebound(graph, result, node + 1);
                    if (options.Reoptimize is { } alpha)
                        result = OptimizedIntermediate.Tighten(graph, result, alpha, BoundOptions.Crown.MaxSpecsPerPass,
                            Budget.Seconds(Remaining(), cancel), from: node + 1);
                }
                if (sufficient?.Invoke(result) == true)
                {
                    enough = true;
                    break;
                }
            }
            if (sweepSolves == 0) break;
        }
        // What this call created goes to the caller's scope; the caller's own tensors stay where they are.
        for (int i = 0; i < result.Length; i++)
        {
            if (!ReferenceEquals(result[i].Lower, bounds[i].Lower)) result[i].Lower.MoveToOuterDisposeScope();
            if (!ReferenceEquals(result[i].Upper, bounds[i].Upper)) result[i].Upper.MoveToOuterDisposeScope();
        }
        return new MipRefineResult(result, layers, rejected, sw.Elapsed.TotalSeconds, enough);
    }

    /// <summary>
    /// Minimises and maximises the <paramref name="unstable"/> neurons of <paramref name="node"/> in order, one SCIP per
    /// worker on its own copy of the model, while <paramref name="left"/> time remains; marks each neuron started in
    /// <paramref name="tried"/>. Returns the node's new bounds, the solves run and the answers a concrete point refuted.
    /// </summary>
    static (double[] Lower, double[] Upper, int Solves, int Rejected) SolveNeurons(ComputationGraph g, double[] lower, double[] upper,
        IntervalBounds[] bounds, int node, int[] unstable, double[] lo, double[] hi, double[] value, bool[] tried,
        MipRefineOptions options, Func<double> left, CancellationToken cancel)
    {
        int workers = Math.Min(options.EffectiveThreads, unstable.Length);
        var models = new (LinearModel Model, int[] Columns, NetworkEncoder Encoder, bool[] Integer)[workers];
        var exact = ExactActivations(g, node, options.ExactLayers);
        var partial = PartialBinaries.For(g, node, bounds, options.BatchIndex, options.NearestBinaries);
        var newLo = lo.ToArray();
        var newHi = hi.ToArray();
        int next = -1, solves = 0, rejected = 0;
        try
        {
            for (int w = 0; w < workers; w++)
            {
                var model = new LinearModel("SCIP");
                models[w] = (model, null!, null!, null!);
                var encoder = new NetworkEncoder(model, g, lower, upper, bounds, options.BatchIndex, BigMActivation.Instance, options.BoundSlack,
                    n => exact.Contains(n.Index) ? BigMActivation.Instance : TriangleActivation.Instance);
                models[w] = (model, encoder.Columns(node), encoder, partial?.InitialState(encoder) ?? Array.Empty<bool>());
            }
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var (model, cols, encoder, integer) = models[w];
                int j;
                while ((j = Interlocked.Increment(ref next)) < unstable.Length && left() > 0)
                {
                    int k = unstable[j];
                    tried[k] = true;
                    partial?.Apply(model, encoder, k, integer);
                    // The side nearer to zero first: when it proves the neuron stable, the other side is not solved.
                    foreach (var side in -lo[k] <= hi[k] ? MinFirst : MaxFirst)
                    {
                        if (newLo[k] >= 0 || newHi[k] <= 0 || left() <= 0) break;
                        if (Solve(model, cols[k], side, Math.Min(options.NeuronSeconds, left()), options.Gap, cancel) is not { } b) continue;
                        Interlocked.Increment(ref solves);
                        // b bounds side·z from below; a concrete point above (below) contradicts it.
                        if (side * value[k] < b) Interlocked.Increment(ref rejected);
                        else if (side > 0) newLo[k] = Math.Max(newLo[k], b);
                        else newHi[k] = Math.Min(newHi[k], -b);
                    }
                }
            });
        }
        finally
        {
            foreach (var m in models) m.Model?.Dispose();
        }
        return (newLo, newHi, solves, rejected);
    }

    /// <summary>
    /// The activation nodes below <paramref name="node"/> that get binaries: the <paramref name="layers"/> nearest to it
    /// (all when 0); the farther ones are relaxed to their triangles, which keeps the bound sound and the solve small.
    /// </summary>
    internal static HashSet<int> ExactActivations(ComputationGraph graph, int node, int layers)
    {
        var below = graph.AncestorsOf(node);
        var activations = graph.Nodes.Where(n => n.Index < node && below[n.Index] && n.Op.NeedsInputBounds)
            .Select(n => n.Index).OrderByDescending(i => i);
        return (layers > 0 ? activations.Take(layers) : activations).ToHashSet();
    }

    static readonly int[] MinFirst = { +1, -1 };
    static readonly int[] MaxFirst = { -1, +1 };

    /// <summary>
    /// A sound lower bound of direction·(column) from the solver's dual bound, slightly loosened; null when SCIP
    /// found no feasible point within its limit.
    /// </summary>
    static double? Solve(LinearModel model, int column, double direction, double seconds, double gap, CancellationToken cancel)
    {
        if (!(seconds > 0)) return null;
        model.SetObjective(new[] { column }, new[] { direction }, 0);
        var reply = model.Solve(ScipSettings.For(seconds, gap: gap), cancel);
        if (!reply.HasPoint) return null;
        double bound = Math.Min(reply.BestBound, reply.Objective);
        if (!double.IsFinite(bound)) return null;
        // The solver works to a feasibility tolerance of 1e-6: loosen by more than that.
        return bound - 1e-5 * (1 + Math.Abs(bound));
    }

    /// <summary>The bounds with every node from <paramref name="from"/> on re-bounded by CROWN over the refined earlier nodes, and intersected.</summary>
    static IntervalBounds[] Rebound(ComputationGraph graph, IntervalBounds[] current, int from)
    {
        using var scope = torch.NewDisposeScope();
        var box = current[0];
        long batch = box.Lower.shape[0];
        var flatBox = new IntervalBounds(box.Lower.reshape(batch, -1), box.Upper.reshape(batch, -1));
        var crown = BoundComputer.Intermediate(graph, flatBox, BoundOptions.Crown, (j, b) => b.Intersect(current[j]));
        var result = current.ToArray();
        for (int j = from; j < result.Length && j <= graph.OutputIndex; j++)
        {
            var r = crown[j].Intersect(current[j]);
            result[j] = new IntervalBounds(r.Lower.MoveToOuterDisposeScope(), r.Upper.MoveToOuterDisposeScope());
        }
        return result;
    }
}
