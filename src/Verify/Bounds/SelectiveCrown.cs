using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Backward CROWN tightening of forward bounds within a budget of multiply-accumulates, paid by the neurons actually
/// inexact: a small box of a deep wide net has few unstable neurons, each costing one backward pass through the layers
/// below it. Boxes are taken cheapest first (by their inexact neurons under the forward bounds) in chunks as large as
/// that estimate allows; layer by
/// layer, a chunk re-bounds the neurons still inexact after CROWN tightened the layers below; a box whose neurons cost
/// more than its part of the layer's share of the budget is given up on. Boxes left out keep their forward bounds.
/// </summary>
public static class SelectiveCrown
{
    /// <summary>Default largest number of boxes bounded by CROWN in one pass.</summary>
    public const int DefaultChunkBoxes = 64;

    /// <summary>
    /// The bounds <paramref name="forward"/> (of every node over the boxes <paramref name="box"/>, [batch, ...]) tightened
    /// by CROWN while its estimated cost stays within <paramref name="maxMacs"/>; <paramref name="tightened"/> says which
    /// boxes had every inexact neuron re-bounded ([batch] bool; the others may have had some). Cancellation throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static IntervalBounds[] Tighten(ComputationGraph graph, IntervalBounds box, IntervalBounds[] forward, double maxMacs,
        out Tensor tightened, int chunkBoxes = DefaultChunkBoxes, CancellationToken cancel = default)
    {
        long batch = box.Lower.shape[0];
        tightened = torch.zeros(batch, dtype: ScalarType.Bool, device: box.Lower.device);
        var (counts, passMacs) = PassCost.InexactCrownMacs(graph, forward);
        if (passMacs.shape[0] == 0 || maxMacs <= 0) return forward;
        var perBox = counts.matmul(passMacs);
        // Boxes without inexact neurons gain nothing; the others cheapest first.
        var order = perBox.argsort();
        var candidates = order.index_select(0, (perBox.index_select(0, order) > 0).nonzero().reshape(-1));
        long n = candidates.shape[0];
        double allPasses = passMacs.sum().item<double>();
        var estimate = perBox.index_select(0, candidates).cpu().data<double>().ToArray();
        var budget = new CrownBudget(graph, maxMacs);
        var lowers = forward.Select(_ => new List<Tensor>()).ToArray();
        var uppers = forward.Select(_ => new List<Tensor>()).ToArray();
        var chosen = new List<Tensor>();
        var complete = new List<Tensor>();
        for (long start = 0, size; start < n && budget.Remaining >= allPasses; start += size)
        {
            // As many boxes as the forward bounds' estimate (an over-estimate) says fit, at least one.
            double sum = estimate[start];
            for (size = 1; start + size < n && size < chunkBoxes && sum + estimate[start + size] <= budget.Remaining; size++)
                sum += estimate[start + size];
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var rows = candidates.narrow(0, start, size);
            var part = new IntervalBounds(box.Lower.index_select(0, rows), box.Upper.index_select(0, rows));
            var partForward = forward.Select(b => b.Lower is null ? b
                : new IntervalBounds(b.Lower.index_select(0, rows), b.Upper.index_select(0, rows))).ToArray();
            budget.NewChunk();
            var crown = BoundComputer.Intermediate(graph, part, new BoundOptions(), (i, ib) => ib.Intersect(partForward[i]), cancel,
                limit: budget.Limit);
            for (int i = 0; i < forward.Length; i++)
            {
                if (forward[i].Lower is null || crown[i].Lower is null) continue;
                lowers[i].Add(crown[i].Lower.to_type(forward[i].Lower.dtype).MoveToOuterDisposeScope());
                uppers[i].Add(crown[i].Upper.to_type(forward[i].Upper.dtype).MoveToOuterDisposeScope());
            }
            chosen.Add(rows.MoveToOuterDisposeScope());
            complete.Add(budget.Kept(rows).MoveToOuterDisposeScope());
            // The later boxes are costlier by the estimate: if none of these could be paid for, they cannot either.
            if (budget.AllAbandoned) break;
        }
        if (chosen.Count == 0) return forward;
        var all = torch.cat(chosen.ToArray());
        var result = forward.ToArray();
        for (int i = 0; i < result.Length; i++)
        {
            if (lowers[i].Count == 0) continue;
            result[i] = new IntervalBounds(forward[i].Lower.index_copy(0, all, torch.cat(lowers[i].ToArray())),
                forward[i].Upper.index_copy(0, all, torch.cat(uppers[i].ToArray())));
            foreach (var t in lowers[i].Concat(uppers[i])) t.Dispose();
        }
        tightened = tightened.index_fill(0, torch.cat(complete.ToArray()), true);
        return result;
    }

    /// <summary>
    /// The budget of one tightening: each node re-bounded may spend up to <see cref="Slack"/> times its part of the
    /// remaining budget in proportion to the cost of its backward pass among those of the nodes left, so that every
    /// layer can afford about as many neurons per box while the layers with the most inexact neurons may take more.
    /// </summary>
    sealed class CrownBudget
    {
        const double Slack = 4;

        readonly double[] passMacs;
        readonly double[] suffix;

        public CrownBudget(ComputationGraph graph, double maxMacs)
        {
            Remaining = maxMacs;
            passMacs = PassCost.CrownPassMacs(graph).Select(m => m ?? 0).ToArray();
            suffix = new double[graph.Nodes.Count + 1];
            for (int i = graph.Nodes.Count - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + passMacs[i];
        }

        /// <summary>Multiply-accumulates left.</summary>
        public double Remaining { get; private set; }

        /// <summary>Boxes of the current chunk given up on ([rows] bool): their neurons cost more than a layer's share.</summary>
        Tensor? abandoned;

        /// <summary>Starts a chunk.</summary>
        public void NewChunk() => abandoned = null;

        /// <summary>The chunk's <paramref name="rows"/> not given up on.</summary>
        public Tensor Kept(Tensor rows) => abandoned is null ? rows : rows.index_select(0, abandoned.logical_not().nonzero().reshape(-1));

        /// <summary>Whether every box of the chunk was given up on.</summary>
        public bool AllAbandoned => abandoned is not null && abandoned.all().item<bool>();

        /// <summary>
        /// The inexact neurons of node i ([rows, n]) CROWN re-bounds: those of every box not given up on, as long as the
        /// pass fits the node's share of the budget; otherwise the boxes with the most are given up on (for this node
        /// and the later ones: their looser bounds here would make CROWN below wasted); null when none are left.
        /// </summary>
        public Tensor? Limit(int i, IntervalBounds bounds, Tensor inexact)
        {
            if (passMacs[i] <= 0 || suffix[i] <= 0) return inexact;
            long rows = inexact.shape[0];
            abandoned ??= torch.zeros(rows, dtype: ScalarType.Bool, device: inexact.device);
            var mask = inexact.logical_and(abandoned.logical_not().unsqueeze(1));
            double share = Remaining * Math.Min(1, Slack * passMacs[i] / suffix[i]);
            var perRow = mask.sum(1);
            // The pass's specifications per entry (see BoundComputer.CrownNodeBounds): at most 1.5 times the largest
            // count of a box; the pass runs over every row of the chunk.
            long cap = (long)Math.Floor(share / (1.5 * rows * passMacs[i]));
            var over = perRow > cap;
            abandoned = abandoned.logical_or(over);
            mask = mask.logical_and(over.logical_not().unsqueeze(1));
            long perEntry = mask.sum(1).max().item<long>();
            if (perEntry == 0) return null;
            long union = mask.any(0).sum().item<long>();
            Remaining -= rows * (double)(perEntry * 3 < union * 2 ? perEntry : union) * passMacs[i];
            return mask;
        }
    }
}
