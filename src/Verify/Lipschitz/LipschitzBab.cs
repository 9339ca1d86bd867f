using System.Diagnostics;
using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>
/// Branch-and-bound on the unstable forward ReLUs for one output's local Lipschitz constant. Each domain fixes some
/// ReLUs; its forward bounds are recomputed under the splits (so later layers tighten), its derivative bounds follow,
/// and CROWN on the Jacobian graph bounds ‖∇f_j‖₁. Domains whose bound is at most the incumbent are pruned; a domain
/// with no unstable ReLU left has a constant Jacobian, its value exact once GLOP shows the pattern reachable
/// (unreachable ones are dropped), so the search run to completion gives the exact value.
/// </summary>
public static class LipschitzBab
{
    sealed record Domain(sbyte[][] Splits, double Upper, int BranchLayer, int BranchNeuron);

    /// <summary>
    /// Runs the search for <paramref name="output"/>. <paramref name="incumbent"/> is a value attained in the box
    /// (the sampled lower bound); <paramref name="pruneBelow"/> optionally prunes more (a bound known to be attained by
    /// another output, when only the overall constant matters): such prunings are still counted in the upper bound.
    /// </summary>
    public static LipschitzBabResult Run(LipschitzNetwork net, double[] lower, double[] upper, int output, double incumbent,
        LipschitzBabOptions options, double pruneBelow = double.NegativeInfinity)
    {
        if (!net.IsPiecewiseLinear) throw new VerifyException("branch-and-bound applies to ReLU networks only");
        var clock = Stopwatch.StartNew();
        int hidden = net.HiddenLayers;
        var widths = Enumerable.Range(0, hidden).Select(k => net.Dense.Layers[k].Outputs).ToArray();
        double best = incumbent, boundaryMax = double.NegativeInfinity, prunedMax = double.NegativeInfinity;
        int domains = 0, unreachable = 0;
        var queue = new PriorityQueue<Domain, double>();
        var root = widths.Select(n => new sbyte[n]).ToArray();
        var pending = new List<sbyte[][]> { root };
        bool stopped = false;
        while (true)
        {
            if (pending.Count > 0)
            {
                domains += pending.Count;
                foreach (var (domain, leaf) in Evaluate(net, lower, upper, output, pending, widths))
                {
                    if (domain is null) { unreachable++; continue; }
                    if (leaf is { } pattern)
                    {
                        var reach = LeafFeasibility.Check(net, lower, upper, pattern.Forward, pattern.Pattern);
                        if (reach == PatternReach.Unreachable) { unreachable++; continue; }
                        if (reach == PatternReach.Interior) best = Math.Max(best, domain.Upper);
                        else boundaryMax = Math.Max(boundaryMax, domain.Upper);
                        continue;
                    }
                    if (domain.Upper <= Math.Max(best, pruneBelow)) { prunedMax = Math.Max(prunedMax, domain.Upper); continue; }
                    queue.Enqueue(domain, -domain.Upper);
                }
                pending.Clear();
            }
            // Drop what the (possibly raised) incumbent now prunes, lazily at the head.
            if (queue.Count == 0) break;
            if (clock.Elapsed.TotalSeconds >= options.TimeLimitSeconds || queue.Count >= options.MaxDomains) { stopped = true; break; }
            while (pending.Count < options.BatchSize && queue.TryDequeue(out var d, out _))
            {
                if (d.Upper <= Math.Max(best, pruneBelow)) { prunedMax = Math.Max(prunedMax, d.Upper); continue; }
                var (k, i) = (d.BranchLayer, d.BranchNeuron);
                foreach (sbyte side in new sbyte[] { 1, -1 })
                {
                    var child = d.Splits.Select(r => (sbyte[])r.Clone()).ToArray();
                    child[k][i] = side;
                    pending.Add(child);
                }
            }
        }
        double open = queue.Count == 0 ? double.NegativeInfinity : queue.UnorderedItems.Max(e => e.Element.Upper);
        double upperBound = Math.Max(Math.Max(best, boundaryMax), Math.Max(open, prunedMax));
        return new LipschitzBabResult(upperBound, best, !stopped, domains, unreachable);
    }

    sealed record Leaf((double[] L, double[] U)[] Forward, sbyte[][] Pattern);

    /// <summary>
    /// Bounds a batch of domains: null for a domain whose bounds cross (empty), a leaf pattern when no ReLU is unstable.
    /// </summary>
    static List<(Domain? Domain, Leaf? Leaf)> Evaluate(LipschitzNetwork net, double[] lower, double[] upper, int output,
        List<sbyte[][]> batch, int[] widths)
    {
        using var scope = NewDisposeScope();
        var splits = SplitTensors(batch, widths);
        var forward = ForwardBounds.Compute(net, lower, upper, splits);
        var slopes = Enumerable.Range(0, widths.Length).Select(k => SlopeBounds.Of(DenseActivation.Relu, forward[k])).ToArray();
        var jac = JacobianBounds.Compute(net, slopes, new[] { output }, JacobianMethod.Crown);
        var norm = jac.NormUpper.data<double>().ToArray();
        var crossing = forward.Select(f => (f.Lower > f.Upper).any(1)).Aggregate((a, b) => a.logical_or(b)).data<bool>().ToArray();
        var unstable = forward.Select(f => ((f.Lower < 0).logical_and(f.Upper > 0)).sum(1)).Aggregate((a, b) => a + b).data<long>().ToArray();
        // Branching: the unstable ReLU whose Jacobian product has the widest range max(|gl|, |gu|), ties broken by the
        // pre-activation width.
        var scores = cat(Enumerable.Range(0, widths.Length).Select(k =>
        {
            var f = forward[k];
            var g = jac.Hidden[k];
            var score = maximum(g.Lower.abs(), g.Upper.abs()) + 1e-9 * (f.Upper - f.Lower);
            return where((f.Lower < 0).logical_and(f.Upper > 0), score, full_like(score, double.NegativeInfinity));
        }).ToArray(), 1);
        var choice = scores.argmax(1).data<long>().ToArray();
        var offsets = new int[widths.Length + 1];
        for (int k = 0; k < widths.Length; k++) offsets[k + 1] = offsets[k] + widths[k];
        var lows = forward.Select(f => f.Lower.data<double>().ToArray()).ToArray();
        var highs = forward.Select(f => f.Upper.data<double>().ToArray()).ToArray();
        var result = new List<(Domain?, Leaf?)>();
        for (int d = 0; d < batch.Count; d++)
        {
            if (crossing[d] || double.IsNaN(norm[d])) { result.Add((double.IsNaN(norm[d]) && !crossing[d] ? throw new InvalidOperationException("NaN Jacobian bound") : null, null)); continue; }
            int flat = (int)choice[d], layer = 0;
            while (layer + 1 < widths.Length && flat >= offsets[layer + 1]) layer++;
            var domain = new Domain(batch[d], norm[d], layer, flat - offsets[layer]);
            if (unstable[d] > 0) { result.Add((domain, null)); continue; }
            var fw = new (double[] L, double[] U)[widths.Length];
            var pattern = new sbyte[widths.Length][];
            for (int k = 0; k < widths.Length; k++)
            {
                int n = widths[k];
                fw[k] = (lows[k].AsSpan(d * n, n).ToArray(), highs[k].AsSpan(d * n, n).ToArray());
                pattern[k] = new sbyte[n];
                for (int i = 0; i < n; i++) pattern[k][i] = fw[k].L[i] >= 0 ? (sbyte)1 : (sbyte)-1;
            }
            result.Add((domain, new Leaf(fw, pattern)));
        }
        return result;
    }

    static Tensor[] SplitTensors(List<sbyte[][]> batch, int[] widths) =>
        Enumerable.Range(0, widths.Length).Select(k =>
            tensor(batch.SelectMany(s => s[k].Select(v => (double)v)).ToArray(), dtype: ScalarType.Float64, device: CPU)
                .reshape(batch.Count, widths[k])).ToArray();
}
