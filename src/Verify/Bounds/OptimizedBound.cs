using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// alpha-CROWN and beta-CROWN: lower bounds of C·y + bias with the lower-relaxation slopes (alpha, per neuron and
/// per specification) and the split multipliers (beta &gt;= 0) optimised by projected Adam. Every iterate is a sound
/// bound, so the best one seen is kept; the first iterate is plain CROWN.
/// </summary>
public static class OptimizedBound
{
    /// <summary>
    /// Best lower bounds [batch, specs] of C·y + bias, with <paramref name="c"/> [batch, specs, outputs] and
    /// <paramref name="bias"/> [batch, specs], under fixed intermediate <paramref name="bounds"/>.
    /// <paramref name="splits"/> maps a nonlinear node to the signs [batch, ...input shape] of its split neurons
    /// (+1: input &gt;= 0, -1: input &lt;= 0, 0: free); their bounds must already be clamped accordingly.
    /// <paramref name="done"/> says, from the best bounds, whether optimisation may stop.
    /// <paramref name="capture"/>, when given, receives the coefficients on the output of every nonlinear node at the
    /// best iterate of the last improvement (for branching heuristics).
    /// <paramref name="warm"/>, when given, supplies starting alphas and receives each entry's alphas at its best bound.
    /// <paramref name="intervalSplits"/> maps a nonlinear node to interval constraints on its input
    /// ([batch, ...input shape] each; infinite where absent): lower &lt;= z &lt;= upper, each finite side with its own
    /// multiplier (beta-CROWN for a split at any point); the bounds must already be clamped to them.
    /// </summary>
    public static Tensor SpecLower(ComputationGraph graph, IntervalBounds[] bounds, Tensor c, Tensor bias,
        OptimizationOptions options, IReadOnlyDictionary<int, Tensor>? splits = null, Func<Tensor, bool>? done = null,
        Dictionary<int, Tensor>? capture = null, CancellationToken cancel = default, AlphaWarmStart? warm = null,
        IReadOnlyDictionary<int, IntervalBounds>? intervalSplits = null)
    {
        var a = c.reshape(new[] { c.shape[0], c.shape[1] }.Concat(graph.OutputShape).ToArray());
        return Lower(graph, graph.OutputIndex, a, bias, bounds, options, splits, done, capture, cancel, warm, intervalSplits);
    }

    /// <summary>
    /// Best lower bounds [batch, specs] of A·v(<paramref name="start"/>) + bias with <paramref name="a"/>
    /// [batch (or 1), specs, ...shape(start)], optimising the alphas of the nonlinear nodes below
    /// <paramref name="start"/>; otherwise as <see cref="SpecLower"/>.
    /// </summary>
    public static Tensor Lower(ComputationGraph graph, int start, Tensor a, Tensor? bias, IntervalBounds[] bounds,
        OptimizationOptions options, IReadOnlyDictionary<int, Tensor>? splits = null, Func<Tensor, bool>? done = null,
        Dictionary<int, Tensor>? capture = null, CancellationToken cancel = default, AlphaWarmStart? warm = null,
        IReadOnlyDictionary<int, IntervalBounds>? intervalSplits = null)
    {
        long batch = bounds[0].Lower.shape[0], specs = a.shape[1];
        var view = bounds.Select(b => b.Lower is null ? (IntervalBounds?)null : b).ToArray();
        var p = new RelaxationParameters();
        if (capture is not null) p.Capture = new Dictionary<int, Tensor>();
        var entries = new List<(Tensor, double, double, double)>();
        var betas = new List<(int Node, Tensor Beta, Tensor Sign)>();
        var intervals = new List<(int Node, IntervalSplitMultipliers Sides)>();
        var ancestors = graph.AncestorsOf(start);
        foreach (var n in graph.Nodes)
        {
            if (n.Index >= start || !ancestors[n.Index]) continue;
            // Interval split constraints on the input of any nonlinear node (an activation or a max pool).
            if (intervalSplits is not null && intervalSplits.TryGetValue(n.Index, out var range))
            {
                var sides = new IntervalSplitMultipliers(range, new[] { batch, specs }.Concat(graph.Nodes[n.Inputs[0]].Shape).ToArray(), a.dtype);
                intervals.Add((n.Index, sides));
                entries.Add((sides.Lower, options.BetaRate, 0.0, double.PositiveInfinity));
                entries.Add((sides.Upper, options.BetaRate, 0.0, double.PositiveInfinity));
            }
            if (n.Inputs.Length != 1 || bounds[n.Inputs[0]].Lower is null) continue;
            // Activations: one alpha per neuron; max pools: one weight per window element (see each operator).
            var start0 = n.Op.InitialAlpha(bounds[n.Inputs[0]], graph.Nodes[n.Inputs[0]].Shape);
            if (start0 is null) continue;
            var shape = new[] { batch, specs }.Concat(start0.shape.Skip(1)).ToArray();
            var init = start0.detach().unsqueeze(1).expand(shape);
            if (warm?.Initial.TryGetValue(n.Index, out var given) == true)
                init = torch.where(given.isnan(), init, given.to_type(a.dtype)).detach();
            var alpha = init.expand(shape).clone().requires_grad_(true);
            p.Alpha[n.Index] = alpha;
            entries.Add((alpha, options.AlphaRate, 0.0, 1.0));
            if (splits is not null && splits.TryGetValue(n.Index, out var sign))
            {
                var beta = torch.zeros(new[] { batch, specs }.Concat(graph.Nodes[n.Inputs[0]].Shape).ToArray(),
                    dtype: a.dtype, device: a.device).requires_grad_(true);
                betas.Add((n.Index, beta, sign.unsqueeze(1)));
                entries.Add((beta, options.BetaRate, 0.0, double.PositiveInfinity));
            }
        }
        using var adam = new ProjectedAdam(entries);
        Tensor? best = null;
        double bestSum = double.NegativeInfinity;
        int stall = 0;
        int iterations = Math.Max(0, options.Iterations);
        for (int it = 0; it <= iterations; it++)
        {
            using var scope = torch.NewDisposeScope();
            foreach (var (node, beta, sign) in betas) p.InputOffset[node] = -(beta * sign);
            if (p.Capture is not null) p.Capture.Clear();
            foreach (var (node, sides) in intervals) p.InputOffset[node] = sides.Offset();
            var lb = BackwardPass.Lower(graph, start, a, bias, view, p);
            foreach (var (_, sides) in intervals) lb = lb + sides.Constant();
            var detached = lb.detach();
            var improved = best is null ? detached : torch.fmax(best, detached);
            if (warm is not null)
                warm.Record(p.Alpha, betas.ToDictionary(x => x.Node, x => x.Beta), best is null ? null : detached > best);
            // Summed in float64: float32 bounds near their range's end would overflow the sum to -inf.
            double sum = improved.nan_to_num(0, 0, 0).to_type(ScalarType.Float64).sum().item<double>();
            if (capture is not null && (sum > bestSum || it == 0))
                foreach (var (k, v) in p.Capture!) capture[k] = v.detach().MoveToOuterDisposeScope();
            stall = sum > bestSum + options.StallGain * Math.Max(1, Math.Abs(bestSum)) ? 0 : stall + 1;
            bestSum = Math.Max(bestSum, sum);
            best?.Dispose();
            best = improved.MoveToOuterDisposeScope();
            if (it == iterations || stall >= options.StallIterations || cancel.IsCancellationRequested || (done?.Invoke(best) ?? false)) break;
            adam.Ascend(lb.sum());
        }
        foreach (var e in entries) e.Item1.Dispose();
        return best!;
    }
}
