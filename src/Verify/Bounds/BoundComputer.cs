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
    /// they are used further; it must return sound bounds. Cancellation throws <see cref="OperationCanceledException"/>.
    /// Nodes before <paramref name="crownFrom"/> keep their refined IBP bounds (for a caller whose refinement already
    /// holds bounds CROWN cannot improve there). <paramref name="limit"/>, when given, may narrow the neurons of node i
    /// re-bounded by CROWN (its [batch, n] mask of inexact neurons, given with the node's bounds; null: none), e.g. to a budget.
    /// </summary>
    public static IntervalBounds[] Intermediate(ComputationGraph graph, IntervalBounds box, BoundOptions options,
        Func<int, IntervalBounds, IntervalBounds>? refine = null, CancellationToken cancel = default, int crownFrom = 0,
        Func<int, IntervalBounds, Tensor, Tensor?>? limit = null)
    {
        var best = new IntervalBounds[graph.Nodes.Count];
        long batch = box.Lower.shape[0];
        best[0] = new IntervalBounds(box.Lower.reshape(ComputationGraph.Batched(batch, graph.InputShape)),
            box.Upper.reshape(ComputationGraph.Batched(batch, graph.InputShape)));
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var n = graph.Nodes[i];
            best[i] = n.Op.Interval(n.Inputs.Select(j => best[j]).ToArray());
            // Refined first, so that neurons a refinement already makes stable are not re-bounded; and after, so that
            // the result is never looser than the refinement.
            if (refine is not null) best[i] = refine(i, best[i]);
            if (i >= crownFrom && options.IntermediateMethod != BoundMethod.Ibp && NeedsRelaxation(graph, i)
                && InexactNeurons(graph, i, best[i]) is { } inexact
                && (limit is null ? inexact : limit(i, best[i], inexact)) is { } selected)
            {
                best[i] = CrownNodeBounds(graph, i, best, selected, options);
                if (refine is not null) best[i] = refine(i, best[i]);
            }
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
    internal static bool NeedsRelaxation(ComputationGraph graph, int i)
    {
        var n = graph.Nodes[i];
        return !(n.Inputs.Length == 1 && n.Inputs[0] == 0);
    }

    /// <summary>
    /// Which of node i's elements have bounds that matter to a consumer's relaxation, per batch entry ([batch, n]
    /// bool), or null when none do.
    /// </summary>
    internal static Tensor? InexactNeurons(ComputationGraph graph, int i, IntervalBounds bounds)
    {
        var consumers = graph.Consumers[i].Select(c => graph.Nodes[c]).Where(c => c.Op.NeedsInputBounds).ToList();
        if (consumers.Count == 0) return null;
        long batch = bounds.Lower.shape[0];
        Tensor? mask = null;
        foreach (var c in consumers)
        {
            var m = c.Inputs.Length == 1 ? c.Op.Inexact(bounds) : null;
            if (m is null) return torch.ones(batch, graph.Nodes[i].Numel, dtype: ScalarType.Bool, device: bounds.Lower.device);
            var flat = m.reshape(batch, -1);
            mask = mask is null ? flat : mask.logical_or(flat);
        }
        return mask!.any().item<bool>() ? mask : null;
    }

    /// <summary>
    /// Node i's bounds with the <paramref name="selected"/> elements ([batch, n] mask) tightened by CROWN, in chunks of
    /// specifications. When the entries' selections overlap little, each entry bounds only its own elements;
    /// otherwise all entries share the union (cheaper per specification).
    /// </summary>
    static IntervalBounds CrownNodeBounds(ComputationGraph graph, int i, IntervalBounds[] best, Tensor selected, BoundOptions options)
    {
        var node = graph.Nodes[i];
        long n = node.Numel, batch = best[0].Lower.shape[0];
        var like = best[0].Lower;
        var union = selected.any(0);
        long unionCount = union.sum().item<long>();
        long perEntry = selected.sum(1).max().item<long>();
        Tensor idx, valid;
        if (batch > 1 && perEntry * 3 < unionCount * 2)
        {
            idx = selected.to_type(ScalarType.Float32).topk((int)perEntry, 1).indexes;
            valid = selected.gather(1, idx);
        }
        else
        {
            idx = union.nonzero().reshape(1, -1);
            valid = torch.ones(1, unionCount, dtype: ScalarType.Bool, device: like.device);
        }
        long entries = idx.shape[0], count = idx.shape[1];
        var boundsView = best.Select(b => (IntervalBounds?)b).ToArray();
        var lowers = new List<Tensor>();
        var uppers = new List<Tensor>();
        // Shared rows are expanded to the whole batch at the first nonlinear node, so the pass costs the batch's size.
        long chunk = Math.Max(1, PassCost.SpecsPerPass(graph, i, batch, (int)like.element_size(), false,
            options.MaxPassBytes, options.MaxSpecsPerPass) / 2);
        for (long s = 0; s < count; s += chunk)
        {
            using var chunkScope = torch.NewDisposeScope();
            long m = Math.Min(chunk, count - s);
            // One-hot rows: +e_k for the lower bound of element k, -e_k for its upper bound.
            var cols = idx.narrow(1, s, m).unsqueeze(2);
            var rows = torch.zeros(entries, m, n, dtype: like.dtype, device: like.device)
                .scatter_(2, cols, torch.ones(entries, m, 1, dtype: like.dtype, device: like.device));
            var a = torch.cat(new[] { rows, -rows }, 1).reshape(new[] { entries, 2 * m }.Concat(node.Shape).ToArray());
            var lb = BackwardPass.Lower(graph, i, a, null, boundsView);
            lowers.Add(lb[.., ..(int)m].MoveToOuterDisposeScope());
            uppers.Add((-lb[.., (int)m..]).MoveToOuterDisposeScope());
        }
        var shape = ComputationGraph.Batched(batch, node.Shape);
        var ibp = best[i];
        var flatLower = ibp.Lower.reshape(batch, n);
        var flatUpper = ibp.Upper.reshape(batch, n);
        var at = idx.expand(batch, count);
        var ok = valid.expand(batch, count);
        var oldLower = flatLower.gather(1, at);
        var oldUpper = flatUpper.gather(1, at);
        var lower = flatLower.scatter(1, at, torch.where(ok, torch.maximum(oldLower, torch.cat(lowers, 1)), oldLower));
        var upper = flatUpper.scatter(1, at, torch.where(ok, torch.minimum(oldUpper, torch.cat(uppers, 1)), oldUpper));
        return new IntervalBounds(lower.reshape(shape), upper.reshape(shape));
    }
}
