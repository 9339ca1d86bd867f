using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using Verify.Solvers;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// Branch and bound by splitting unstable ReLUs (beta-CROWN), for high-dimensional inputs. A domain is a disjunct
/// with a sign for every ReLU (+1 active, -1 inactive, 0 free), stored as one int8 row; intermediate bounds come from
/// the root's, clamped by the splits (or recomputed by CROWN with them); the final bound optimises alpha and the
/// split multipliers beta jointly. The worst-bounded domains are expanded first; the neuron to split is chosen by
/// the BaBSR intercept score, or by filtered smart branching among the best BaBSR candidates. A domain with every ReLU split or stable is decided exactly by SCIP
/// (<see cref="LeafDecision"/>), which makes the search complete.
/// </summary>
public static class ReluSplitBab
{
    /// <summary>
    /// Searches the unrefuted disjuncts <paramref name="flatDisjuncts"/> (flat indices into <paramref name="spec"/>),
    /// with <paramref name="rootBounds"/> the intermediate bounds of every case's box ([cases, ...] per node) and
    /// <paramref name="rootLower"/>, when known, a sound lower bound of each of those disjuncts. <paramref name="memory"/>,
    /// when given, guards the steps (else a guard for <see cref="BabOptions.MaxMemoryBytes"/>).
    /// </summary>
    public static BabResult Run(ComputationGraph graph, SpecBatch spec, IntervalBounds[] rootBounds, long[] flatDisjuncts,
        BabOptions options, Func<int, double[], Counterexample?> confirm, Budget budget, double[]? rootLower = null, MemoryGuard? memory = null)
    {
        using var outer = torch.NewDisposeScope();
        // Fires at the deadline, so that a long batched step stops inside (between iterations and layers).
        using var atDeadline = budget.CancelAtDeadline();
        budget = budget.WithCancel(atDeadline.Token);
        var device = spec.Lower.device;
        var relus = graph.Nodes.Where(n => IsSplittable(n.Op) && graph.AncestorsOf(graph.OutputIndex)[n.Index]).ToArray();
        if (graph.Nodes.FirstOrDefault(n => n.Op.NeedsInputBounds && !IsSplittable(n.Op)) is { } other)
            return new BabResult(BabStatus.Unknown, null, 0, 0,
                $"neuron splitting supports two-piece linear activations only (node {other.Name} is {other.Op.OpType})");
        var offsets = new long[relus.Length + 1];
        for (int k = 0; k < relus.Length; k++) offsets[k + 1] = offsets[k] + relus[k].Numel;
        var flat = torch.tensor(flatDisjuncts, device: device);
        // The root domains start from the bounds already proved for them (e.g. by alpha-CROWN with more steps).
        var parentLb = rootLower is null
            ? torch.full(flat.shape[0], double.NegativeInfinity, dtype: spec.Lower.dtype, device: device)
            : torch.tensor(rootLower, dtype: ScalarType.Float64).to(spec.Lower.dtype, device);
        // Each domain's alphas at its best bound, quantised to a byte (255: not yet optimised), inherited by its children.
        long specs = spec.AtomsOf(flat.narrow(0, 0, Math.Min(1, flat.shape[0]))).C.shape[1];
        var alphas = options.WarmStartAlpha
            ? torch.full(new[] { flat.shape[0], specs, offsets[^1] }, AlphaUnset, dtype: ScalarType.Byte, device: device)
            : null;
        var signs = torch.zeros(flat.shape[0], offsets[^1], dtype: ScalarType.Int8, device: device);
        using var store = new DomainStore<SplitDomains>(new SplitDomains(flat, signs, parentLb, alphas));
        using var leaves = new LeafDecision(graph, spec, relus, offsets);
        var search = new Search(graph, spec, rootBounds, relus, offsets, options, confirm, leaves, budget);
        using var ownGuard = memory is null ? new MemoryGuard(options.MaxMemoryBytes) : null;
        // Wide (convolutional) networks bound fewer domains at once, so that a step's pass fits its memory share.
        int maxBatch = PassCost.DomainsPerStep(graph, specs, (int)spec.Lower.element_size(), options.Optimization.Iterations > 0,
            options.StepBytes, options.BatchSize);
        return BabLoop.Run(store, search, options, budget, memory ?? ownGuard!, maxBatch)
            ?? new BabResult(BabStatus.Proved, null, search.Domains, search.Steps, null);
    }

    /// <summary>
    /// Pending neuron-split domains: the flat disjunct index, a split sign per neuron (+1: z &gt;= 0, −1: z &lt;= 0, 0:
    /// free) [n, Σ neurons], the parent's bound, and the quantised best alphas [n, specs, Σ neurons] (null: cold start).
    /// </summary>
    sealed record SplitDomains(Tensor Flat, Tensor Signs, Tensor ParentLb, Tensor? Alphas) : IDomainRows<SplitDomains>
    {
        public Tensor?[] Fields => new[] { Flat, Signs, ParentLb, Alphas };

        public static SplitDomains FromFields(Tensor?[] f) => new(f[0]!, f[1]!, f[2]!, f[3]);

        /// <summary>The rows <paramref name="rows"/>, with new parent bounds and alphas (given for those rows).</summary>
        public SplitDomains Select(Tensor rows, Tensor parentLb, Tensor? alphas) =>
            new(Flat.index_select(0, rows), Signs.index_select(0, rows), parentLb, alphas);
    }

    /// <summary>The steps of one search: bound a batch, look for counterexamples, decide leaves exactly, split the rest.</summary>
    sealed class Search(ComputationGraph graph, SpecBatch spec, IntervalBounds[] rootBounds, Node[] relus, long[] offsets,
        BabOptions options, Func<int, double[], Counterexample?> confirm, LeafDecision leaves, Budget budget)
        : IBabSearch<SplitDomains>
    {
        CancellationToken cancel => budget.Cancel;

        public long Domains { get; private set; }

        public int Steps { get; private set; }

        /// <summary>Both children of every open domain of the last step, or null when none is left open.</summary>
        public (SplitDomains Plus, SplitDomains Minus)? Children { get; private set; }

        SplitDomains[] IBabSearch<SplitDomains>.Children => Children is { } c ? new[] { c.Plus, c.Minus } : Array.Empty<SplitDomains>();

        /// <summary>Worst bound first, or in creation order.</summary>
        public Tensor? Order(SplitDomains pending) => options.WorstFirst ? pending.ParentLb.argsort() : null;

        bool Fsb => options.Branching == BranchingRule.Fsb;

        /// <summary>Bounds a batch and prepares its children; returns the search's result when the step ends it.</summary>
        public BabResult? Step(SplitDomains batch)
        {
            Children = null;
            long b = batch.Flat.shape[0];
            var caseIdx = spec.CaseOf(batch.Flat);
            var (c, bias, mask) = spec.AtomsOf(batch.Flat);
            var (splits, signOf) = SplitsOf(batch.Signs);
            if (IntermediateBounds(caseIdx, signOf) is not { } bounds)
                return new BabResult(BabStatus.Timeout, null, Domains, Steps, "time limit reached");
            var capture = new Dictionary<int, Tensor>();
            // Filtered smart branching re-bounds the children with the parent's best alphas and betas, so it keeps them
            // even when the store does not (cold start: the search itself starts each domain from the default slopes).
            using var warm = batch.Alphas is not null
                ? new AlphaWarmStart(Dequantise(relus, offsets, batch.Alphas, spec.Lower.dtype), keepBetas: Fsb)
                : Fsb ? new AlphaWarmStart(new Dictionary<int, Tensor>(), keepBetas: true) : null;
            var lb = OptimizedBound.SpecLower(graph, bounds, c, bias, options.Optimization, splits,
                best => InputSplitBab.Refuted(best, mask).all().item<bool>(), capture, cancel, warm);
            var bestAlphas = batch.Alphas is null ? null : Quantise(relus, warm!.Best, batch.Alphas);
            Domains += b;
            Steps++;
            if (lb.isnan().any().item<bool>())
                return new BabResult(BabStatus.Unknown, null, Domains, Steps, "a bound pass produced NaN");
            var masked = lb.masked_fill(mask.logical_not(), double.NegativeInfinity);
            // A sub-domain inherits its parent's bound (its region is a subset), so a short optimisation never loses it.
            var dl = torch.fmax(masked.amax(1), batch.ParentLb);
            var keep = (dl <= 0).nonzero().reshape(-1);
            if (keep.shape[0] == 0) return null;
            if (capture.TryGetValue(0, out var inputA) && Candidates(batch.Flat.index_select(0, keep), caseIdx.index_select(0, keep),
                    inputA.reshape(b, c.shape[1], -1).index_select(0, keep), masked.index_select(0, keep)) is { } cex)
                return new BabResult(BabStatus.Violated, cex, Domains, Steps, null);
            var score = Scores(relus, bounds, capture, mask, keep);
            var (best, bestIdx) = score.max(1);
            // Leaves: every neuron split or stable, or so few unstable ones left that SCIP is cheaper than splitting.
            var leaf = (best < 0).logical_or((score >= 0).sum(1) <= options.ExactLeafUnstable);
            if (leaf.any().item<bool>())
            {
                if (DecideLeaves(batch.Flat.index_select(0, keep), batch.Signs.index_select(0, keep), leaf) is { } decided) return decided;
                var open = leaf.logical_not().nonzero().reshape(-1);
                keep = keep.index_select(0, open);
                bestIdx = bestIdx.index_select(0, open);
                score = score.index_select(0, open);
            }
            if (keep.shape[0] == 0) return null;
            if (Fsb)
                bestIdx = FilteredSmartBranching.Choose(graph, relus, bounds.Select(ib => ib.Lower is null ? ib
                        : new IntervalBounds(ib.Lower.index_select(0, keep), ib.Upper.index_select(0, keep))).ToArray(),
                    c.index_select(0, keep), bias.index_select(0, keep), mask.index_select(0, keep), score,
                    options.FsbCandidates, Rows(warm!.Best, keep), Rows(splits, keep), Rows(warm.BestBeta, keep), dl.index_select(0, keep));
            var parent = batch.Select(keep, dl.index_select(0, keep), bestAlphas?.index_select(0, keep));
            Children = (Split(parent, bestIdx, 1), Split(parent, bestIdx, -1));
            return null;
        }

        /// <summary>The batch's split signs per activation node [b, ...shape], and the same keyed by the node's input.</summary>
        (Dictionary<int, Tensor> ByNode, Dictionary<int, Tensor> ByInput) SplitsOf(Tensor signs)
        {
            long b = signs.shape[0];
            var splits = new Dictionary<int, Tensor>();
            var signOf = new Dictionary<int, Tensor>();
            for (int k = 0; k < relus.Length; k++)
            {
                var s = signs.narrow(1, offsets[k], relus[k].Numel).to_type(spec.Lower.dtype).reshape(ComputationGraph.Batched(b, relus[k].Shape));
                splits[relus[k].Index] = s;
                signOf[relus[k].Inputs[0]] = s;
            }
            return (splits, signOf);
        }

        /// <summary>Every node's bounds for the batch: recomputed with the splits, or the root's clamped; null when cancelled.</summary>
        IntervalBounds[]? IntermediateBounds(Tensor caseIdx, Dictionary<int, Tensor> signOf)
        {
            if (!options.RecomputeIntermediate)
                return rootBounds.Select((rb, i) => rb.Lower is null ? rb
                    : Clamp(signOf, i, new IntervalBounds(rb.Lower.index_select(0, caseIdx), rb.Upper.index_select(0, caseIdx)))).ToArray();
            var box = new IntervalBounds(spec.Lower.index_select(0, caseIdx), spec.Upper.index_select(0, caseIdx));
            try
            {
                return RecomputedBounds(graph, box, signOf, cancel);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        /// <summary>Tests the corner minimising each open domain's linear bound, and its refinement.</summary>
        Counterexample? Candidates(Tensor flat, Tensor caseIdx, Tensor inputA, Tensor atomLower)
        {
            var lo = spec.Lower.index_select(0, caseIdx);
            var hi = spec.Upper.index_select(0, caseIdx);
            var corner = CandidateCheck.WorstCorner(inputA, atomLower, lo, hi);
            var refined = CandidateCheck.Refine(graph, spec, corner, flat, lo, hi);
            return CandidateCheck.Find(graph, spec, torch.cat(new[] { corner, refined }), torch.cat(new[] { flat, flat }), confirm);
        }

        /// <summary>Decides the leaf domains exactly (binaries only for their unstable neurons); a result ends the search.</summary>
        BabResult? DecideLeaves(Tensor flat, Tensor signs, Tensor leaf)
        {
            foreach (var row in leaf.nonzero().reshape(-1).cpu().data<long>().ToArray())
            {
                long flatIndex = flat[row].item<long>();
                var (outcome, x) = leaves.Decide(flatIndex, signs[row].cpu().data<sbyte>().ToArray(), budget);
                if (outcome == MipVerifier.Outcome.Refuted) continue;
                if (outcome == MipVerifier.Outcome.TimedOut)
                    return new BabResult(BabStatus.Timeout, null, Domains, Steps, "time limit reached");
                if (outcome == MipVerifier.Outcome.Reached && confirm((int)(flatIndex / spec.Disjuncts), x!) is { } leafCex)
                    return new BabResult(BabStatus.Violated, leafCex, Domains, Steps, null);
                return new BabResult(BabStatus.Unknown, null, Domains, Steps, outcome == MipVerifier.Outcome.Reached
                    ? "the exact solution of a domain with every ReLU split was not confirmed by ONNX Runtime"
                    : "a domain with every ReLU split could not be decided");
            }
            return null;
        }

        /// <summary>The parents with neuron <paramref name="neuron"/> ([n]) of each split to <paramref name="side"/>.</summary>
        static SplitDomains Split(SplitDomains parent, Tensor neuron, sbyte side)
        {
            var col = neuron.unsqueeze(1);
            var signs = parent.Signs.scatter(1, col, torch.full(col.shape, side, dtype: ScalarType.Int8, device: col.device));
            return parent with { Signs = signs };
        }
    }

    static IntervalBounds Clamp(Dictionary<int, Tensor> signOf, int node, IntervalBounds ib) =>
        signOf.TryGetValue(node, out var s) ? Clamped(ib, s) : ib;

    /// <summary>Whether every nonlinear operator of the graph can be split (neuron splitting applies).</summary>
    public static bool Supports(ComputationGraph graph) => graph.Nodes.All(n => !n.Op.NeedsInputBounds || IsSplittable(n.Op));

    /// <summary>Whether an operator's neurons can be split at 0 (a two-piece linear activation).</summary>
    static bool IsSplittable(Operator op) => op is ActivationOperator { PiecewiseLinear: not null };

    /// <summary>A ReLU input's bounds with its split signs applied (+1: lower clamped to 0, −1: upper clamped to 0).</summary>
    static IntervalBounds Clamped(IntervalBounds ib, Tensor signs) =>
        new(torch.where(signs > 0, ib.Lower.clamp_min(0), ib.Lower), torch.where(signs < 0, ib.Upper.clamp_max(0), ib.Upper));

    /// <summary>Domains whose intermediate bounds are recomputed together (bounds the CROWN matrices' memory and the time between cancellation checks).</summary>
    const int RecomputeChunk = 16;

    /// <summary>
    /// Every node's bounds for the domains' boxes by CROWN with each domain's splits clamped in, in chunks of
    /// <see cref="RecomputeChunk"/> domains (whole batches need far more memory: docs/benchmarks.md, "Figures formerly in
    /// code comments").
    /// </summary>
    static IntervalBounds[] RecomputedBounds(ComputationGraph graph, IntervalBounds box, Dictionary<int, Tensor> signOf, CancellationToken cancel)
    {
        long b = box.Lower.shape[0];
        var parts = new List<IntervalBounds[]>();
        for (long start = 0; start < b; start += RecomputeChunk)
        {
            long len = Math.Min(RecomputeChunk, b - start);
            IntervalBounds Clamp(int node, IntervalBounds ib) => signOf.TryGetValue(node, out var all) ? Clamped(ib, all.narrow(0, start, len)) : ib;
            var chunk = new IntervalBounds(box.Lower.narrow(0, start, len), box.Upper.narrow(0, start, len));
            parts.Add(BoundComputer.Intermediate(graph, chunk, new BoundOptions(), Clamp, cancel));
        }
        if (parts.Count == 1) return parts[0];
        return Enumerable.Range(0, parts[0].Length).Select(i => parts[0][i].Lower is null ? parts[0][i]
            : new IntervalBounds(torch.cat(parts.Select(p => p[i].Lower).ToArray()), torch.cat(parts.Select(p => p[i].Upper).ToArray()))).ToArray();
    }

    /// <summary>
    /// BaBSR intercept score [kept, Σ neurons] of every unstable ReLU of the kept domains: how much the bound loses to
    /// the upper relaxation's intercept, |min(A, 0)|·(-l·u/(u-l)) summed over the real atoms, plus a small width term
    /// so that some unstable neuron is always chosen; -1 for stable or already split neurons.
    /// </summary>
    static Tensor Scores(Node[] relus, IntervalBounds[] bounds, Dictionary<int, Tensor> capture, Tensor mask, Tensor keep)
    {
        var parts = new List<Tensor>();
        var m = mask.index_select(0, keep).unsqueeze(2);
        foreach (var r in relus)
        {
            var ib = bounds[r.Inputs[0]];
            var l = ib.Lower.index_select(0, keep).flatten(1);
            var u = ib.Upper.index_select(0, keep).flatten(1);
            var unstable = (l < 0).logical_and(u > 0);
            // The chord's intercept shrinks by (1 − negative slope) for a leaky hinge.
            var intercept = InterceptScore.Intercept(l, u) * (1 - ((ActivationOperator)r.Op).PiecewiseLinear!.NegativeSlope);
            Tensor coefficient = capture.TryGetValue(r.Index, out var a)
                ? (a.index_select(0, keep).flatten(2).clamp_max(0).abs() * m).sum(1)
                : torch.zeros_like(l);
            var score = InterceptScore.Of(coefficient, intercept);
            parts.Add(torch.where(unstable, score, torch.full_like(score, -1)));
        }
        return torch.cat(parts, 1);
    }

    static Dictionary<int, Tensor> Rows(IReadOnlyDictionary<int, Tensor> perNode, Tensor rows) =>
        perNode.ToDictionary(kv => kv.Key, kv => kv.Value.index_select(0, rows));

    internal const byte AlphaUnset = 255;

    /// <summary>Per ReLU node, the stored alphas [batch, specs, ...shape] in [0, 1], NaN where not yet optimised.</summary>
    internal static Dictionary<int, Tensor> Dequantise(Node[] relus, long[] offsets, Tensor stored, ScalarType dtype)
    {
        var result = new Dictionary<int, Tensor>();
        for (int k = 0; k < relus.Length; k++)
        {
            var q = stored.narrow(2, offsets[k], relus[k].Numel);
            var value = torch.where(q == AlphaUnset, torch.tensor(double.NaN, dtype: dtype, device: q.device), q.to_type(dtype) / (AlphaUnset - 1));
            result[relus[k].Index] = value.reshape(new[] { q.shape[0], q.shape[1] }.Concat(relus[k].Shape).ToArray());
        }
        return result;
    }

    /// <summary>The best alphas as bytes [batch, specs, Σ neurons]; the stored ones where a node was not optimised.</summary>
    internal static Tensor Quantise(Node[] relus, IReadOnlyDictionary<int, Tensor> best, Tensor stored)
    {
        long batch = stored.shape[0], specs = stored.shape[1];
        var parts = new List<Tensor>();
        long offset = 0;
        foreach (var r in relus)
        {
            parts.Add(best.TryGetValue(r.Index, out var a)
                ? (a.reshape(batch, specs, -1).clamp(0, 1) * (AlphaUnset - 1)).round().to_type(ScalarType.Byte)
                : stored.narrow(2, offset, r.Numel));
            offset += r.Numel;
        }
        return torch.cat(parts, 2);
    }
}
