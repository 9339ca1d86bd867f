using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// alpha-CROWN for intermediate bounds: the bounds of every inexact neuron (e.g. unstable ReLU inputs), layer by
/// layer, optimised over the alphas of the layers below it; each tightened layer then serves the next. Costly, so
/// meant for the root of branch and bound.
/// </summary>
public static class OptimizedIntermediate
{
    /// <summary>
    /// A copy of <paramref name="bounds"/> (sound bounds of every node) with the inexact neurons' bounds tightened,
    /// within <paramref name="budget"/>; nodes not reached, and nodes before <paramref name="from"/>, keep their bounds.
    /// A pass pushes at most <paramref name="maxSpecsPerPass"/> specifications, fewer where its estimated memory
    /// (autograd keeps every node's coefficients) would pass <paramref name="maxPassBytes"/>.
    /// </summary>
    public static IntervalBounds[] Tighten(ComputationGraph graph, IntervalBounds[] bounds, OptimizationOptions options,
        int maxSpecsPerPass, Budget budget, int from = 1, long maxPassBytes = BoundOptions.DefaultMaxPassBytes)
    {
        var cancel = budget.Cancel;
        var result = bounds.ToArray();
        long batch = bounds[0].Lower.shape[0];
        for (int i = Math.Max(1, from); i <= graph.OutputIndex; i++)
        {
            if (budget.Expired) break;
            if (!BoundComputer.NeedsRelaxation(graph, i) || BoundComputer.InexactNeurons(graph, i, result[i]) is not { } mask) continue;
            var node = graph.Nodes[i];
            var idx = mask.any(0).nonzero().reshape(-1);
            var like = result[0].Lower;
            long n = node.Numel, count = idx.shape[0];
            long chunk = Math.Max(1, PassCost.SpecsPerPass(graph, i, batch, (int)like.element_size(), true, maxPassBytes, maxSpecsPerPass) / 2);
            var lower = result[i].Lower.reshape(batch, n);
            var upper = result[i].Upper.reshape(batch, n);
            for (long s = 0; s < count; s += chunk)
            {
                using var chunkScope = torch.NewDisposeScope();
                long m = Math.Min(chunk, count - s);
                var cols = idx.narrow(0, s, m);
                var rows = torch.zeros(m, n, dtype: like.dtype, device: like.device)
                    .index_put_(torch.ones(m, dtype: like.dtype, device: like.device), torch.arange(m, device: like.device), cols);
                var a = torch.cat(new[] { rows, -rows }).reshape(new[] { 1, 2 * m }.Concat(node.Shape).ToArray());
                var lb = OptimizedBound.Lower(graph, i, a, null, result, options, cancel: cancel);
                var at = cols.unsqueeze(0).expand(batch, m);
                lower = lower.scatter(1, at, torch.maximum(lower.gather(1, at), lb.narrow(1, 0, m))).MoveToOuterDisposeScope();
                upper = upper.scatter(1, at, torch.minimum(upper.gather(1, at), -lb.narrow(1, m, m))).MoveToOuterDisposeScope();
            }
            var shape = ComputationGraph.Batched(batch, node.Shape);
            result[i] = new IntervalBounds(lower.reshape(shape), upper.reshape(shape));
        }
        return result;
    }
}
