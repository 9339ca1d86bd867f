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
    sealed record Domain(sbyte[][] Splits, double Upper, int BranchLayer, int BranchNeuron, int Output = 0);

    /// <summary>
    /// Runs one search over the given outputs (domains of all outputs in one worst-first queue).
    /// <paramref name="incumbents"/> are values attained in the box per output (the sampled lower bounds). With
    /// <paramref name="overallOnly"/>, a domain is also pruned when its bound is at most a value attained by any output
    /// (only the overall constant is then exact; such prunings still count in each output's upper bound).
    /// <paramref name="root"/>, when given, holds the unsplit domain's bounds already computed (forward bounds valid
    /// over the whole box, e.g. by alpha-CROWN, with which every domain's bounds are intersected, and their Jacobian
    /// bounds), so the first round is not bounded again.
    /// </summary>
    public static LipschitzBabResult[] Run(LipschitzNetwork net, double[] lower, double[] upper, int[] outputs, double[] incumbents,
        LipschitzBabOptions options, bool overallOnly = false, BabRoot? root = null)
    {
        if (!net.HasZeroOneSlopes) throw new VerifyException("branch-and-bound applies to ReLU networks only");
        var clock = Stopwatch.StartNew();
        using var lp = new PatternLp(net, lower, upper);
        int hidden = net.HiddenLayers, count = outputs.Length;
        var widths = Enumerable.Range(0, hidden).Select(k => net.Dense.Layers[k].Outputs).ToArray();
        var best = (double[])incumbents.Clone();
        var boundaryMax = Enumerable.Repeat(double.NegativeInfinity, count).ToArray();
        var prunedMax = Enumerable.Repeat(double.NegativeInfinity, count).ToArray();
        int domains = 0, unreachable = 0;
        double Threshold(int a) => overallOnly ? best.Max() : best[a];
        var queue = new PriorityQueue<Domain, double>();
        var pending = Enumerable.Range(0, count).Select(a => (a, widths.Select(n => new sbyte[n]).ToArray())).ToList();
        bool stopped = false, first = true;
        // A domain's split rows (with the arrays' headers), its record and its queue entry; each child is bounded in a batch.
        long bytesPerDomain = widths.Sum(w => w + 32L) + 128;
        using var memory = new Branching.MemoryGuard(options.MemoryLimitBytes);
        while (true)
        {
            domains += pending.Count;
            // Every dequeued domain may have been pruned: nothing to bound this round.
            var bounded = pending.Count == 0 ? new()
                : first && root is not null ? Seed(root, pending, widths)
                : Evaluate(net, lower, upper, outputs, pending, widths, root?.Forward);
            first = false;
            foreach (var (domain, leaf) in bounded)
            {
                if (domain is null) { unreachable++; continue; }
                int a = domain.Output;
                if (domain.Upper <= Threshold(a)) { prunedMax[a] = Math.Max(prunedMax[a], domain.Upper); continue; }
                var pattern = leaf!;
                if (!pattern.IsLeaf)
                {
                    // An internal domain: its splits may already be contradictory (the clamped forward bounds do
                    // not see every contradiction); the LP with triangle relaxations of the free ReLUs decides.
                    if (options.LpFilterDepth > 0 && domain.Splits.Sum(r => r.Count(v => v != 0)) >= options.LpFilterDepth
                        && lp.Check(pattern.Forward, pattern.Pattern) == PatternReach.Unreachable)
                    { unreachable++; continue; }
                    queue.Enqueue(domain, -domain.Upper);
                    continue;
                }
                var reach = lp.Check(pattern.Forward, pattern.Pattern);
                if (reach == PatternReach.Unreachable) { unreachable++; continue; }
                if (reach == PatternReach.Interior) best[a] = Math.Max(best[a], domain.Upper);
                else boundaryMax[a] = Math.Max(boundaryMax[a], domain.Upper);
            }
            pending.Clear();
            if (queue.Count == 0) break;
            if (clock.Elapsed.TotalSeconds >= options.TimeLimitSeconds || queue.Count >= options.MaxDomains
                || memory.BeforeStep(2L * 2 * options.BatchSize * bytesPerDomain) is not null) { stopped = true; break; }
            while (pending.Count < 2 * options.BatchSize && queue.TryDequeue(out var d, out _))
            {
                if (d.Upper <= Threshold(d.Output)) { prunedMax[d.Output] = Math.Max(prunedMax[d.Output], d.Upper); continue; }
                foreach (sbyte side in new sbyte[] { 1, -1 })
                {
                    var child = d.Splits.Select(r => (sbyte[])r.Clone()).ToArray();
                    child[d.BranchLayer][d.BranchNeuron] = side;
                    pending.Add((d.Output, child));
                }
            }
        }
        var open = Enumerable.Repeat(double.NegativeInfinity, count).ToArray();
        foreach (var (d, _) in queue.UnorderedItems) open[d.Output] = Math.Max(open[d.Output], d.Upper);
        return Enumerable.Range(0, count).Select(a => new LipschitzBabResult(
            Math.Max(Math.Max(best[a], boundaryMax[a]), Math.Max(open[a], prunedMax[a])), best[a],
            !stopped || double.IsNegativeInfinity(open[a]), domains, unreachable)).ToArray();
    }

    sealed record Leaf((double[] L, double[] U)[] Forward, sbyte[][] Pattern, bool IsLeaf);

    /// <summary>
    /// Bounds a batch of domains: null for a domain whose bounds cross (empty), a leaf pattern when no ReLU is unstable.
    /// </summary>
    static List<(Domain? Domain, Leaf? Leaf)> Evaluate(LipschitzNetwork net, double[] lower, double[] upper, int[] outputs,
        List<(int Output, sbyte[][] Splits)> pending, int[] widths, IntervalBounds[]? root)
    {
        using var scope = NewDisposeScope();
        var splits = SplitTensors(pending.Select(p => p.Splits).ToList(), widths);
        var forward = ForwardBounds.Compute(net, lower, upper, splits, root: root);
        var slopes = Enumerable.Range(0, widths.Length).Select(k => net.ActivationOf(k).SlopeRange(forward[k])).ToArray();
        var jac = JacobianBounds.ComputePerDomain(net, slopes, pending.Select(p => (long)outputs[p.Output]).ToArray(), JacobianMethod.Crown);
        return Domains(forward, jac, pending, widths);
    }

    /// <summary>The unsplit domains of the first round from the bounds the caller already has.</summary>
    static List<(Domain? Domain, Leaf? Leaf)> Seed(BabRoot root, List<(int Output, sbyte[][] Splits)> pending, int[] widths)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(pending.Select(p => root.Rows[p.Output]).ToArray(), dtype: ScalarType.Int64, device: CPU);
        var forward = root.Forward.Select(f => new IntervalBounds(f.Lower.expand(pending.Count, -1).contiguous(), f.Upper.expand(pending.Count, -1).contiguous())).ToArray();
        var j = root.Jacobian;
        var jac = new JacobianBoundResult(j.NormUpper.index_select(0, rows),
            new IntervalBounds(j.InputGradient.Lower.index_select(0, rows), j.InputGradient.Upper.index_select(0, rows)),
            j.Hidden.Select(h => new IntervalBounds(h.Lower.index_select(0, rows), h.Upper.index_select(0, rows))).ToArray(),
            j.Sensitivity?.Select(t => t.index_select(0, rows)).ToArray());
        return Domains(forward, jac, pending, widths);
    }

    /// <summary>Domains from their forward and Jacobian bounds (one row per pending domain).</summary>
    static List<(Domain? Domain, Leaf? Leaf)> Domains(IntervalBounds[] forward, JacobianBoundResult jac,
        List<(int Output, sbyte[][] Splits)> pending, int[] widths)
    {
        var batch = pending.Select(p => p.Splits).ToList();
        var norm = jac.NormUpper.data<double>().ToArray();
        var crossing = forward.Select(f => (f.Lower > f.Upper).any(1)).Aggregate((a, b) => a.logical_or(b)).data<bool>().ToArray();
        var unstable = forward.Select(f => ((f.Lower < 0).logical_and(f.Upper > 0)).sum(1)).Aggregate((a, b) => a + b).data<long>().ToArray();
        // Branching: the unstable ReLU whose Jacobian product has the widest range max(|gl|, |gu|), ties broken by the
        // pre-activation width.
        var scores = cat(Enumerable.Range(0, widths.Length).Select(k =>
        {
            var f = forward[k];
            var g = jac.Hidden[k];
            // BaBSR-like: the product's relaxation gap max(|gl|, |gu|) weighted by |λ|, the coefficient of y_k in the
            // bound of ‖g₀‖₁ (plus a small share of the gap alone so that no unstable neuron scores zero).
            var gap = maximum(g.Lower.abs(), g.Upper.abs());
            var score = gap * (jac.Sensitivity![k].abs() + 1e-3) + 1e-9 * (f.Upper - f.Lower);
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
            var domain = new Domain(batch[d], norm[d], layer, flat - offsets[layer], pending[d].Output);
            var fw = new (double[] L, double[] U)[widths.Length];
            var pattern = new sbyte[widths.Length][];
            for (int k = 0; k < widths.Length; k++)
            {
                int n = widths[k];
                fw[k] = (lows[k].AsSpan(d * n, n).ToArray(), highs[k].AsSpan(d * n, n).ToArray());
                pattern[k] = new sbyte[n];
                for (int i = 0; i < n; i++) pattern[k][i] = fw[k].L[i] >= 0 ? (sbyte)1 : fw[k].U[i] <= 0 ? (sbyte)-1 : (sbyte)0;
            }
            result.Add((domain, new Leaf(fw, pattern, unstable[d] == 0)));
        }
        return result;
    }

    static Tensor[] SplitTensors(List<sbyte[][]> batch, int[] widths) =>
        Enumerable.Range(0, widths.Length).Select(k =>
            tensor(batch.SelectMany(s => s[k].Select(v => (double)v)).ToArray(), dtype: ScalarType.Float64, device: CPU)
                .reshape(batch.Count, widths[k])).ToArray();
}
