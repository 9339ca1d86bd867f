using Verify.Bounds;
using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// Filtered smart branching (De Palma et al. 2021): per domain, the top candidates by a cheap score are filtered by
/// estimating both children's bounds with one backward pass each (the parent's intermediate bounds with the candidate
/// clamped to one side, the parent's alphas and betas, no optimisation), all domains × candidates × sides batched.
/// The candidate whose worse child has the highest estimated bound is chosen. The estimate only steers the choice: the
/// children are bounded afterwards as usual. A child inherits its parent's bound, so an estimate is raised to it: without
/// the new split's multiplier, the cheap pass often rates the constrained child below its parent, which would make
/// splits that change nothing look best; ties then go to the better score.
/// </summary>
public static class FilteredSmartBranching
{
    /// <summary>Entries (rows × specs × widest node) one chunk of the batched estimate may hold, to bound memory.</summary>
    const long ChunkElements = 1L << 22;

    /// <summary>
    /// The flat neuron index [rows] to split in each domain (indices into the concatenation of <paramref name="relus"/>'
    /// neurons). <paramref name="score"/> [rows, Σ neurons] ranks candidates (negative: not splittable; every row must
    /// have a splittable neuron); <paramref name="bounds"/> are the domains' intermediate bounds [rows, ...] per node;
    /// <paramref name="c"/> [rows, specs, outputs], <paramref name="bias"/> [rows, specs] and <paramref name="mask"/>
    /// [rows, specs] the atoms (a domain's bound is the max over its real atoms). <paramref name="alphas"/> per ReLU node
    /// [rows, specs, ...shape] and <paramref name="betas"/> per split ReLU node [rows, specs, ...input shape], with their
    /// <paramref name="splits"/> [rows, ...input shape], are the parent's parameters (null: default slopes, no betas).
    /// <paramref name="parentBound"/> [rows], when given, is the bound the children inherit (the estimates' floor).
    /// </summary>
    public static Tensor Choose(ComputationGraph graph, IReadOnlyList<Node> relus, IntervalBounds[] bounds, Tensor c, Tensor bias,
        Tensor mask, Tensor score, int candidates, IReadOnlyDictionary<int, Tensor>? alphas = null,
        IReadOnlyDictionary<int, Tensor>? splits = null, IReadOnlyDictionary<int, Tensor>? betas = null, Tensor? parentBound = null)
    {
        var estimate = ChildEstimates(graph, relus, bounds, c, bias, mask, score, candidates, alphas, splits, betas, out var top);
        using var noGrad = torch.no_grad();
        if (parentBound is not null)
        {
            var valid = estimate > double.NegativeInfinity;
            estimate = torch.where(valid, torch.fmax(estimate, parentBound.to_type(estimate.dtype).view(-1, 1, 1)), estimate);
        }
        var worse = estimate.amin(2);
        var pick = worse.argmax(1, keepdim: true);
        return top.gather(1, pick).squeeze(1);
    }

    /// <summary>
    /// Estimated bounds [rows, k, 2] of the two children (+: input &gt;= 0, -: input &lt;= 0) of each of the top
    /// <paramref name="candidates"/> neurons <paramref name="top"/> [rows, k] by score; -inf for a candidate that is
    /// not splittable or whose estimate is NaN. Arguments as in <see cref="Choose"/>.
    /// </summary>
    public static Tensor ChildEstimates(ComputationGraph graph, IReadOnlyList<Node> relus, IntervalBounds[] bounds, Tensor c,
        Tensor bias, Tensor mask, Tensor score, int candidates, IReadOnlyDictionary<int, Tensor>? alphas,
        IReadOnlyDictionary<int, Tensor>? splits, IReadOnlyDictionary<int, Tensor>? betas, out Tensor top)
    {
        using var noGrad = torch.no_grad();
        var device = score.device;
        long rows = score.shape[0], specs = c.shape[1];
        int k = (int)Math.Min(Math.Max(1, candidates), score.shape[1]);
        var (topScore, topIdx) = score.topk(k, 1);
        top = topIdx;
        var offsets = new long[relus.Count + 1];
        for (int r = 0; r < relus.Count; r++) offsets[r + 1] = offsets[r] + relus[r].Numel;
        // The parent's pre-activation bounds of every ReLU, flattened side by side [rows, Σ neurons].
        var flatLower = torch.cat(relus.Select(r => bounds[r.Inputs[0]].Lower.flatten(1)).ToArray(), 1);
        var flatUpper = torch.cat(relus.Select(r => bounds[r.Inputs[0]].Upper.flatten(1)).ToArray(), 1);
        // The parent's split multipliers folded into the coefficients of the split neurons' inputs.
        var inputOffset = new Dictionary<int, Tensor>();
        if (betas is not null && splits is not null)
            foreach (var (node, beta) in betas)
                if (splits.TryGetValue(node, out var sign)) inputOffset[node] = -(beta * sign.unsqueeze(1).to_type(beta.dtype));
        long widest = graph.Nodes.Max(n => n.Numel);
        long entries = rows * k * 2;
        long chunk = Math.Max(1, ChunkElements / Math.Max(1, specs * widest));
        var outputShape = new[] { specs }.Concat(graph.OutputShape).ToArray();
        var parts = new List<Tensor>();
        for (long start = 0; start < entries; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            long n = Math.Min(chunk, entries - start);
            // Entry e is domain e / 2k, candidate (e / 2) % k, side e % 2 (0: input >= 0, 1: input <= 0).
            var e = torch.arange(start, start + n, dtype: ScalarType.Int64, device: device);
            var dom = e.div(2 * k, rounding_mode: RoundingMode.floor);
            var col = topIdx.reshape(-1).index_select(0, e.div(2, rounding_mode: RoundingMode.floor)).unsqueeze(1);
            var active = (e.remainder(2) == 0).unsqueeze(1);
            var lo = flatLower.index_select(0, dom);
            var hi = flatUpper.index_select(0, dom);
            var lc = lo.gather(1, col);
            var hc = hi.gather(1, col);
            lo = lo.scatter(1, col, torch.where(active, lc.clamp_min(0), lc));
            hi = hi.scatter(1, col, torch.where(active, hc, hc.clamp_max(0)));
            var view = new IntervalBounds?[bounds.Length];
            for (int i = 0; i < bounds.Length; i++)
                if (bounds[i].Lower is not null)
                    view[i] = new IntervalBounds(bounds[i].Lower.index_select(0, dom), bounds[i].Upper.index_select(0, dom));
            for (int r = 0; r < relus.Count; r++)
            {
                var shape = ComputationGraph.Batched(n, graph.Nodes[relus[r].Inputs[0]].Shape);
                view[relus[r].Inputs[0]] = new IntervalBounds(lo.narrow(1, offsets[r], relus[r].Numel).reshape(shape),
                    hi.narrow(1, offsets[r], relus[r].Numel).reshape(shape));
            }
            var p = new RelaxationParameters();
            if (alphas is not null)
                foreach (var (node, alpha) in alphas) p.Alpha[node] = alpha.index_select(0, dom);
            foreach (var (node, offset) in inputOffset) p.InputOffset[node] = offset.index_select(0, dom);
            var a = c.index_select(0, dom).reshape(new[] { n }.Concat(outputShape).ToArray());
            var lb = BackwardPass.Lower(graph, graph.OutputIndex, a, bias.index_select(0, dom), view, p);
            var worst = lb.masked_fill(mask.index_select(0, dom).logical_not(), double.NegativeInfinity).amax(1);
            parts.Add(worst.nan_to_num(double.NegativeInfinity, double.PositiveInfinity, double.NegativeInfinity).MoveToOuterDisposeScope());
        }
        var estimate = torch.cat(parts.ToArray()).reshape(rows, k, 2);
        return estimate.masked_fill((topScore < 0).unsqueeze(2), double.NegativeInfinity);
    }
}
