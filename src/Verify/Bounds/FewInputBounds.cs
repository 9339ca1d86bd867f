using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Intermediate bounds of networks with few inputs over many boxes: forward linear bounds (intersected with IBP), their
/// cost linear in depth, tightened by backward CROWN: for the whole batch when CROWN of every neuron is affordable,
/// otherwise for the boxes whose actually inexact neurons make it affordable (<see cref="SelectiveCrown"/>); the boxes
/// are taken in chunks whose forward linear functions fit a memory budget.
/// </summary>
public static class FewInputBounds
{
    /// <summary>Default largest estimated CROWN cost (multiply-accumulates over the whole batch) for tightening.</summary>
    public const double DefaultMaxCrownMacs = 1e10;

    /// <summary>Default memory budget of one chunk's forward linear functions, in bytes.</summary>
    public const long DefaultChunkBytes = 1L << 30;

    /// <summary>
    /// Whether backward CROWN intermediate bounds of every neuron of <paramref name="boxes"/> boxes cost at most
    /// <paramref name="maxMacs"/> (the worst case; then the whole batch is tightened at once).
    /// </summary>
    public static bool CrownAffordable(ComputationGraph graph, long boxes, double maxMacs) =>
        boxes * PassCost.CrownIntermediateMacs(graph) <= maxMacs;

    /// <summary>
    /// Bounds of every node over the boxes [batch, ...input shape], and each input dimension's influence on the
    /// inexact neurons ([batch, inputs], see <see cref="ForwardPass"/>). With <paramref name="crown"/>, the forward bounds
    /// are tightened by CROWN where its cost (<paramref name="maxCrownMacs"/> multiply-accumulates over the batch) allows. Cancellation throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static IntervalBounds[] Intermediate(ComputationGraph graph, IntervalBounds box, out Tensor influence, bool crown,
        double maxCrownMacs = DefaultMaxCrownMacs, long chunkBytes = DefaultChunkBytes, CancellationToken cancel = default)
    {
        long batch = box.Lower.shape[0];
        double perBox = PassCost.ForwardLinearBytes(graph, (int)box.Lower.element_size());
        long chunk = (long)Math.Clamp(Math.Floor(chunkBytes / Math.Max(1.0, perBox)), 1, batch);
        var forward = chunk >= batch
            ? ForwardPass.Intermediate(graph, box, out influence, cancel: cancel)
            : Chunked(graph, box, chunk, out influence, cancel);
        if (!crown) return forward;
        if (CrownAffordable(graph, batch, maxCrownMacs))
            return BoundComputer.Intermediate(graph, box, new BoundOptions(), (i, ib) => ib.Intersect(forward[i]), cancel);
        // CROWN of the inexact neurons may add a quarter of the forward pass's cost, at most the given budget: on the
        // 10-layer synthetic index net, the budget alone made steps twice as slow for 3% fewer domains.
        double budget = Math.Min(maxCrownMacs, batch * PassCost.ForwardLinearMacs(graph) / 4);
        return SelectiveCrown.Tighten(graph, box, forward, budget, out _, cancel: cancel);
    }

    /// <summary>Forward bounds chunk by chunk: only each chunk's bounds outlive it, not its linear functions.</summary>
    static IntervalBounds[] Chunked(ComputationGraph graph, IntervalBounds box, long chunk, out Tensor influence, CancellationToken cancel)
    {
        int nodes = graph.Nodes.Count;
        var lower = Enumerable.Range(0, nodes).Select(_ => new List<Tensor>()).ToArray();
        var upper = Enumerable.Range(0, nodes).Select(_ => new List<Tensor>()).ToArray();
        var smear = new List<Tensor>();
        long batch = box.Lower.shape[0];
        for (long start = 0; start < batch; start += chunk)
        {
            long size = Math.Min(chunk, batch - start);
            using var scope = torch.NewDisposeScope();
            var part = new IntervalBounds(box.Lower.narrow(0, start, size), box.Upper.narrow(0, start, size));
            var bounds = ForwardPass.Intermediate(graph, part, out var partInfluence, cancel: cancel);
            for (int i = 0; i < nodes; i++)
            {
                if (bounds[i].Lower is null) continue;
                lower[i].Add(bounds[i].Lower.contiguous().MoveToOuterDisposeScope());
                upper[i].Add(bounds[i].Upper.contiguous().MoveToOuterDisposeScope());
            }
            smear.Add(partInfluence.MoveToOuterDisposeScope());
        }
        influence = torch.cat(smear.ToArray());
        var result = new IntervalBounds[nodes];
        for (int i = 0; i < nodes; i++)
            if (lower[i].Count > 0) result[i] = new IntervalBounds(torch.cat(lower[i].ToArray()), torch.cat(upper[i].ToArray()));
        return result;
    }
}
