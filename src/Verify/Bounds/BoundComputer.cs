using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Sound bounds of a graph over a batch of input boxes: intermediate bounds of every node (IBP, tightened by
/// CROWN where asked) and lower bounds of linear functions of the output.
/// </summary>
public static class BoundComputer
{
    /// <summary>
    /// Bounds of every node up to the output for the boxes [batch, ...input shape]: IBP everywhere, intersected
    /// with CROWN for the inputs of nonlinear operators when the intermediate method is CROWN. Only the neurons whose
    /// relaxation is inexact under the IBP bound (e.g. unstable ReLUs) are re-bounded by CROWN.
    /// <paramref name="refine"/>, when given, may tighten each node's bounds (split constraints, solver bounds) before
    /// they are used further; it must return sound bounds.
    /// </summary>
    public static IntervalBounds[] Intermediate(ComputationGraph graph, IntervalBounds box, BoundOptions options,
        Func<int, IntervalBounds, IntervalBounds>? refine = null)
    {
        var best = new IntervalBounds[graph.Nodes.Count];
        long batch = box.Lower.shape[0];
        best[0] = new IntervalBounds(box.Lower.reshape(ComputationGraph.Batched(batch, graph.InputShape)),
            box.Upper.reshape(ComputationGraph.Batched(batch, graph.InputShape)));
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            var n = graph.Nodes[i];
            best[i] = n.Op.Interval(n.Inputs.Select(j => best[j]).ToArray());
            if (options.IntermediateMethod != BoundMethod.Ibp && NeedsRelaxation(graph, i)
                && InexactNeurons(graph, i, best[i]) is { } selected)
                best[i] = CrownNodeBounds(graph, i, best, selected, options.MaxSpecsPerPass);
            if (refine is not null) best[i] = refine(i, best[i]);
        }
        return best;
    }

    /// <summary>
    /// Lower bounds [batch, specs] of C·y + bias, where y is the output, <paramref name="c"/> is
    /// [batch, specs, outputs] (flattened output) and <paramref name="bias"/> is [batch, specs].
    /// With IBP the linear output layers are folded into C before the interval is used.
    /// </summary>
    public static Tensor SpecLower(ComputationGraph graph, IntervalBounds[] bounds, Tensor c, Tensor bias, BoundMethod method)
    {
        var a = c.reshape(new[] { c.shape[0], c.shape[1] }.Concat(graph.OutputShape).ToArray());
        if (method != BoundMethod.Ibp)
            return BackwardPass.Lower(graph, graph.OutputIndex, a, bias, bounds.Select(b => (IntervalBounds?)b).ToArray());
        int i = graph.OutputIndex;
        var total = bias;
        while (i > 0 && graph.Nodes[i] is { Op.NeedsInputBounds: false, Inputs.Length: 1 } node)
        {
            var r = node.Op.Backward(a, new Operators.BackwardContext(new[] { graph.Nodes[node.Inputs[0]].Shape }));
            a = r.InputA[0]!;
            if (r.Bias is not null) total = total + r.Bias;
            i = node.Inputs[0];
        }
        return total + BackwardPass.Concretize(a, bounds[i]);
    }

    /// <summary>Lower and upper bounds of every output element ([batch, outputs] each).</summary>
    public static IntervalBounds OutputBounds(ComputationGraph graph, IntervalBounds[] bounds, BoundMethod method)
    {
        long n = graph.OutputSize, batch = bounds[0].Lower.shape[0];
        var eye = torch.eye(n, dtype: bounds[0].Lower.dtype, device: bounds[0].Lower.device);
        var c = torch.cat(new[] { eye, -eye }).unsqueeze(0).expand(batch, 2 * n, n);
        var zero = torch.zeros(batch, 2 * n, dtype: eye.dtype, device: eye.device);
        var lb = SpecLower(graph, bounds, c, zero, method);
        return new IntervalBounds(lb[.., ..(int)n], -lb[.., (int)n..]);
    }

    /// <summary>False when the node is a single affine map of the input box (IBP is then already exact).</summary>
    static bool NeedsRelaxation(ComputationGraph graph, int i)
    {
        var n = graph.Nodes[i];
        return !(n.Inputs.Length == 1 && n.Inputs[0] == 0);
    }

    /// <summary>
    /// Flat indices of node i's elements whose bounds matter to a consumer's relaxation (in any batch entry), or
    /// null when none do.
    /// </summary>
    static Tensor? InexactNeurons(ComputationGraph graph, int i, IntervalBounds bounds)
    {
        var consumers = graph.Consumers[i].Select(c => graph.Nodes[c]).Where(c => c.Op.NeedsInputBounds).ToList();
        if (consumers.Count == 0) return null;
        Tensor? mask = null;
        foreach (var c in consumers)
        {
            var m = c.Inputs.Length == 1 ? c.Op.Inexact(bounds) : null;
            if (m is null) return torch.arange(graph.Nodes[i].Numel, device: bounds.Lower.device);
            var any = m.reshape(m.shape[0], -1).any(0);
            mask = mask is null ? any : mask.logical_or(any);
        }
        var idx = mask!.nonzero().reshape(-1);
        return idx.shape[0] == 0 ? null : idx;
    }

    /// <summary>
    /// Node i's bounds with the <paramref name="selected"/> elements (flat indices) tightened by CROWN, in chunks of
    /// specifications.
    /// </summary>
    static IntervalBounds CrownNodeBounds(ComputationGraph graph, int i, IntervalBounds[] best, Tensor selected, int maxSpecs)
    {
        var node = graph.Nodes[i];
        long n = node.Numel, batch = best[0].Lower.shape[0], count = selected.shape[0];
        var like = best[0].Lower;
        var boundsView = best.Select(b => (IntervalBounds?)b).ToArray();
        var lowers = new List<Tensor>();
        var uppers = new List<Tensor>();
        long chunk = Math.Max(1, maxSpecs / 2);
        for (long s = 0; s < count; s += chunk)
        {
            long m = Math.Min(chunk, count - s);
            var rows = torch.zeros(m, n, dtype: like.dtype, device: like.device);
            rows.index_put_(torch.ones(m, dtype: like.dtype, device: like.device),
                torch.arange(m, device: like.device), selected.narrow(0, s, m));
            var spec = torch.cat(new[] { rows, -rows });
            // Batch dimension 1: the coefficients broadcast against the batch at the first nonlinear node.
            var a = spec.reshape(new[] { 2 * m }.Concat(node.Shape).ToArray()).unsqueeze(0);
            using var chunkScope = torch.NewDisposeScope();
            var lb = BackwardPass.Lower(graph, i, a, null, boundsView);
            lowers.Add(lb[.., ..(int)m].MoveToOuterDisposeScope());
            uppers.Add((-lb[.., (int)m..]).MoveToOuterDisposeScope());
        }
        var shape = ComputationGraph.Batched(batch, node.Shape);
        var ibp = best[i];
        var flatLower = ibp.Lower.reshape(batch, n);
        var flatUpper = ibp.Upper.reshape(batch, n);
        var idx = selected.unsqueeze(0).expand(batch, count);
        var lower = flatLower.scatter(1, idx, torch.maximum(flatLower.gather(1, idx), torch.cat(lowers, 1)));
        var upper = flatUpper.scatter(1, idx, torch.minimum(flatUpper.gather(1, idx), torch.cat(uppers, 1)));
        return new IntervalBounds(lower.reshape(shape), upper.reshape(shape));
    }
}
