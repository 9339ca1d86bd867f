using System.Diagnostics;
using Verify.Branching;
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
    /// <summary>
    /// Runs one search over the given outputs (domains of all outputs in one worst-first store).
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
        using var outer = NewDisposeScope();
        using var lp = new PatternLp(net, lower, upper);
        var search = new Search(net, lower, upper, outputs, incumbents, options, overallOnly, lp);
        // The first round: every output's unsplit domain.
        var pending = new Children(zeros(outputs.Length, search.Neurons, dtype: ScalarType.Int8, device: CPU), Enumerable.Range(0, outputs.Length).ToArray());
        DomainStore<OpenDomains>? store = null;
        using var memory = new MemoryGuard(options.MaxMemoryBytes);
        bool stopped = false;
        try
        {
            while (true)
            {
                using var scope = NewDisposeScope();
                var open = search.Bound(pending, first: store is null ? root : null);
                pending.Signs.Dispose();
                if (store is null) store = new DomainStore<OpenDomains>(open);
                else store.Add(open);
                store.Keep(search.Prune(store.Pending));
                if (store.Count == 0) break;
                if (clock.Elapsed.TotalSeconds >= options.TimeLimitSeconds || store.Count >= options.MaxDomains
                    || memory.BeforeStep(store.GrowthBytes(2L * options.BatchSize)) is not null) { stopped = true; break; }
                var worst = store.Pending.Upper.argsort(descending: true);
                pending = Search.Split(store.Take(options.BatchSize, worst));
                pending.DetachFromScope();
            }
            return search.Results(stopped ? store!.Pending : null);
        }
        finally
        {
            store?.Dispose();
        }
    }

    /// <summary>
    /// Open domains: a split sign per hidden neuron (+1: z &gt;= 0, −1: z &lt;= 0) [n, Σ neurons], the bound of
    /// ‖∇f_j‖₁ on the domain, the neuron to split next (flat index) and the position of the domain's output.
    /// </summary>
    sealed record OpenDomains(Tensor Signs, Tensor Upper, Tensor Branch, Tensor Output) : IDomainRows<OpenDomains>
    {
        public Tensor?[] Fields => new Tensor?[] { Signs, Upper, Branch, Output };

        public static OpenDomains FromFields(Tensor?[] f) => new(f[0]!, f[1]!, f[2]!, f[3]!);
    }

    /// <summary>Domains to bound: split signs [m, Σ neurons] and the position of each one's output.</summary>
    sealed record Children(Tensor Signs, int[] Output)
    {
        public int Count => Output.Length;

        public void DetachFromScope() => Signs.DetachFromDisposeScope();
    }

    /// <summary>The state of one search: incumbents, bounds of the pruned and boundary domains, counts.</summary>
    sealed class Search(LipschitzNetwork net, double[] lower, double[] upper, int[] outputs, double[] incumbents,
        LipschitzBabOptions options, bool overallOnly, PatternLp lp)
    {
        readonly int[] widths = Enumerable.Range(0, net.HiddenLayers).Select(k => net.Dense.Layers[k].Outputs).ToArray();
        readonly double[] best = (double[])incumbents.Clone();
        readonly double[] boundaryMax = Enumerable.Repeat(double.NegativeInfinity, outputs.Length).ToArray();
        readonly double[] prunedMax = Enumerable.Repeat(double.NegativeInfinity, outputs.Length).ToArray();
        int domains, unreachable;

        /// <summary>Hidden neurons in all.</summary>
        public int Neurons => widths.Sum();

        double Threshold(int a) => overallOnly ? best.Max() : best[a];

        /// <summary>
        /// Bounds the domains (from <paramref name="first"/>'s bounds when given), settles the leaves and the
        /// unreachable ones, and returns the domains still open.
        /// </summary>
        public OpenDomains Bound(Children pending, BabRoot? first)
        {
            domains += pending.Count;
            var bounded = pending.Count == 0 ? new()
                : first is not null ? Seed(first, pending, widths)
                : Evaluate(net, lower, upper, outputs, pending, widths, null);
            var splitCounts = (pending.Signs != 0).sum(1).data<long>().ToArray();
            var rows = new List<long>();
            var uppers = new List<double>();
            var branches = new List<long>();
            var owners = new List<long>();
            foreach (var (row, domain) in bounded)
            {
                if (domain is null) { unreachable++; continue; }
                int a = pending.Output[row];
                if (domain.Upper <= Threshold(a)) { prunedMax[a] = Math.Max(prunedMax[a], domain.Upper); continue; }
                if (!domain.IsLeaf)
                {
                    // An internal domain: its splits may already be contradictory (the clamped forward bounds do
                    // not see every contradiction); the LP with triangle relaxations of the free ReLUs decides.
                    if (options.LpFilterDepth > 0 && splitCounts[row] >= options.LpFilterDepth
                        && lp.Check(domain.Forward, domain.Pattern) == PatternReach.Unreachable)
                    { unreachable++; continue; }
                    rows.Add(row); uppers.Add(domain.Upper); branches.Add(domain.Branch); owners.Add(a);
                    continue;
                }
                var reach = lp.Check(domain.Forward, domain.Pattern);
                if (reach == PatternReach.Unreachable) { unreachable++; continue; }
                if (reach == PatternReach.Interior) best[a] = Math.Max(best[a], domain.Upper);
                else boundaryMax[a] = Math.Max(boundaryMax[a], domain.Upper);
            }
            return new OpenDomains(pending.Signs.index_select(0, tensor(rows.ToArray(), dtype: ScalarType.Int64, device: CPU)),
                tensor(uppers.ToArray(), dtype: ScalarType.Float64, device: CPU), tensor(branches.ToArray(), dtype: ScalarType.Int64, device: CPU),
                tensor(owners.ToArray(), dtype: ScalarType.Int64, device: CPU));
        }

        /// <summary>Which open domains to keep ([n] bool): those whose bound is above the incumbent (the others are recorded as pruned).</summary>
        public Tensor Prune(OpenDomains open)
        {
            var up = open.Upper.data<double>().ToArray();
            var owner = open.Output.data<long>().ToArray();
            var keep = new bool[up.Length];
            for (int d = 0; d < up.Length; d++)
            {
                int a = (int)owner[d];
                keep[d] = up[d] > Threshold(a);
                if (!keep[d]) prunedMax[a] = Math.Max(prunedMax[a], up[d]);
            }
            return tensor(keep, device: CPU);
        }

        /// <summary>Both children (+1 and −1 at the domain's branching neuron) of each domain.</summary>
        public static Children Split(OpenDomains parents)
        {
            var col = parents.Branch.unsqueeze(1);
            var plus = parents.Signs.scatter(1, col, ones(col.shape, dtype: ScalarType.Int8, device: CPU));
            var minus = parents.Signs.scatter(1, col, full(col.shape, -1, dtype: ScalarType.Int8, device: CPU));
            var owner = parents.Output.data<long>().Select(o => (int)o).ToArray();
            // Interleaved as the children of each parent.
            var signs = stack(new[] { plus, minus }, 1).reshape(-1, parents.Signs.shape[1]);
            return new Children(signs, owner.SelectMany(o => new[] { o, o }).ToArray());
        }

        /// <summary>Each output's result; <paramref name="open"/> holds the domains left when the search stopped early.</summary>
        public LipschitzBabResult[] Results(OpenDomains? open)
        {
            var openMax = Enumerable.Repeat(double.NegativeInfinity, outputs.Length).ToArray();
            if (open is not null)
            {
                var up = open.Upper.data<double>().ToArray();
                var owner = open.Output.data<long>().ToArray();
                for (int d = 0; d < up.Length; d++) openMax[owner[d]] = Math.Max(openMax[owner[d]], up[d]);
            }
            return Enumerable.Range(0, outputs.Length).Select(a => new LipschitzBabResult(
                Math.Max(Math.Max(best[a], boundaryMax[a]), Math.Max(openMax[a], prunedMax[a])), best[a],
                open is null || double.IsNegativeInfinity(openMax[a]), domains, unreachable)).ToArray();
        }
    }

    /// <summary>
    /// A bounded domain: its bound, the neuron to split next (flat), its forward bounds and the sign pattern they fix,
    /// and whether no neuron is unstable (a leaf).
    /// </summary>
    sealed record Bounded(double Upper, long Branch, (double[] L, double[] U)[] Forward, sbyte[][] Pattern, bool IsLeaf);

    /// <summary>Bounds a batch of domains: null for a domain whose bounds cross (empty).</summary>
    static List<(int Row, Bounded? Domain)> Evaluate(LipschitzNetwork net, double[] lower, double[] upper, int[] outputs,
        Children pending, int[] widths, IntervalBounds[]? root)
    {
        using var scope = NewDisposeScope();
        var splits = SplitTensors(pending.Signs, widths);
        var forward = ForwardBounds.Compute(net, lower, upper, splits, root: root);
        var slopes = Enumerable.Range(0, widths.Length).Select(k => net.ActivationOf(k).SlopeRange(forward[k])).ToArray();
        var jac = JacobianBounds.ComputePerDomain(net, slopes, pending.Output.Select(a => (long)outputs[a]).ToArray(), JacobianMethod.Crown);
        return Domains(forward, jac, widths);
    }

    /// <summary>The unsplit domains of the first round from the bounds the caller already has.</summary>
    static List<(int Row, Bounded? Domain)> Seed(BabRoot root, Children pending, int[] widths)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(pending.Output.Select(a => root.Rows[a]).ToArray(), dtype: ScalarType.Int64, device: CPU);
        var forward = root.Forward.Select(f => new IntervalBounds(f.Lower.expand(pending.Count, -1).contiguous(), f.Upper.expand(pending.Count, -1).contiguous())).ToArray();
        var j = root.Jacobian;
        var jac = new JacobianBoundResult(j.NormUpper.index_select(0, rows),
            new IntervalBounds(j.InputGradient.Lower.index_select(0, rows), j.InputGradient.Upper.index_select(0, rows)),
            j.Hidden.Select(h => new IntervalBounds(h.Lower.index_select(0, rows), h.Upper.index_select(0, rows))).ToArray(),
            j.Sensitivity?.Select(t => t.index_select(0, rows)).ToArray());
        return Domains(forward, jac, widths);
    }

    /// <summary>Domains from their forward and Jacobian bounds (one row per pending domain).</summary>
    static List<(int Row, Bounded? Domain)> Domains(IntervalBounds[] forward, JacobianBoundResult jac, int[] widths)
    {
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
        var result = new List<(int, Bounded?)>();
        for (int d = 0; d < norm.Length; d++)
        {
            if (crossing[d] || double.IsNaN(norm[d])) { result.Add((d, double.IsNaN(norm[d]) && !crossing[d] ? throw new InvalidOperationException("NaN Jacobian bound") : null)); continue; }
            var fw = new (double[] L, double[] U)[widths.Length];
            var pattern = new sbyte[widths.Length][];
            for (int k = 0; k < widths.Length; k++)
            {
                int n = widths[k];
                fw[k] = (lows[k].AsSpan(d * n, n).ToArray(), highs[k].AsSpan(d * n, n).ToArray());
                pattern[k] = new sbyte[n];
                for (int i = 0; i < n; i++) pattern[k][i] = fw[k].L[i] >= 0 ? (sbyte)1 : fw[k].U[i] <= 0 ? (sbyte)-1 : (sbyte)0;
            }
            result.Add((d, new Bounded(norm[d], choice[d], fw, pattern, unstable[d] == 0)));
        }
        return result;
    }

    /// <summary>Per hidden layer, the domains' split signs [m, n_k] as float64.</summary>
    static Tensor[] SplitTensors(Tensor signs, int[] widths)
    {
        var result = new Tensor[widths.Length];
        for (int k = 0, offset = 0; k < widths.Length; offset += widths[k], k++)
            result[k] = signs.narrow(1, offset, widths[k]).to_type(ScalarType.Float64);
        return result;
    }
}
