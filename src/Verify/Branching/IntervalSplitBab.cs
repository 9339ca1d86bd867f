using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// Branch and bound for general nonlinearities (GenBaB, Shi et al. 2024): a domain is a disjunct with an interval
/// [lo, hi] for the pre-activation of every activation neuron (sigmoid, tanh, ReLU, LeakyReLU; infinite sides: no
/// constraint), stored as two rows. Its intermediate bounds are recomputed by CROWN from the input box, intersected
/// with the root's and clamped to the intervals layer by layer, so the layers after a split re-tighten; the final
/// bound optimises alpha (warm-started from the parent's) and a multiplier per finite interval side
/// (<see cref="IntervalSplitMultipliers"/>). The worst-bounded domains are expanded first; the neuron is chosen by
/// <see cref="RelaxationGapScore"/>, its split point by <see cref="SplitPoint"/> (0 for a hinge, whose children are then
/// exact). A domain whose clamped intervals are empty is infeasible and dropped. The inputs of max pools are split the
/// same way, where <see cref="MaxPool.SplitChoice"/> says a window's relaxation gains.
/// </summary>
public static class IntervalSplitBab
{
    /// <summary>
    /// Searches the unrefuted disjuncts <paramref name="flatDisjuncts"/> (flat indices into <paramref name="spec"/>),
    /// with <paramref name="rootBounds"/> the intermediate bounds of every case's box ([cases, ...] per node) and
    /// <paramref name="rootLower"/>, when known, a sound lower bound of each of those disjuncts.
    /// </summary>
    public static BabResult Run(ComputationGraph graph, SpecBatch spec, IntervalBounds[] rootBounds, long[] flatDisjuncts,
        BabOptions options, Func<int, double[], Counterexample?> confirm, Budget budget, double[]? rootLower = null)
    {
        using var outer = torch.NewDisposeScope();
        using var atDeadline = budget.CancelAtDeadline();
        budget = budget.WithCancel(atDeadline.Token);
        var device = spec.Lower.device;
        var dtype = spec.Lower.dtype;
        var acts = Splittable(graph);
        // Split sites: the activations' inputs, then the max pools' inputs (their alphas come first, acts only).
        var sites = acts.Concat(Pools(graph)).ToArray();
        if (sites.Length == 0)
            return new BabResult(BabStatus.Unknown, null, 0, 0, "the network has no activation or max-pooling neurons to split");
        var offsets = new long[sites.Length + 1];
        for (int k = 0; k < sites.Length; k++) offsets[k + 1] = offsets[k] + graph.Nodes[sites[k].Inputs[0]].Numel;
        var flat = torch.tensor(flatDisjuncts, device: device);
        long n = flat.shape[0];
        var parentLb = rootLower is null
            ? torch.full(n, double.NegativeInfinity, dtype: dtype, device: device)
            : torch.tensor(rootLower, dtype: ScalarType.Float64).to(dtype, device);
        long specs = spec.AtomsOf(flat.narrow(0, 0, Math.Min(1, n))).C.shape[1];
        var alphas = options.WarmStartAlpha && acts.Length > 0
            ? torch.full(new[] { n, specs, offsets[acts.Length] }, ReluSplitBab.AlphaUnset, dtype: ScalarType.Byte, device: device)
            : null;
        var lo = torch.full(n, offsets[^1], double.NegativeInfinity, dtype: dtype, device: device);
        var hi = torch.full(n, offsets[^1], double.PositiveInfinity, dtype: dtype, device: device);
        using var store = new DomainStore<IntervalDomains>(new IntervalDomains(flat, lo, hi, parentLb, alphas));
        var search = new Search(graph, spec, rootBounds, acts, sites, offsets, options, confirm, budget);
        using var memory = new MemoryGuard(options.MaxMemoryBytes);
        // Wide (convolutional) networks bound fewer domains at once, so that a step's pass fits its memory share.
        int maxBatch = PassCost.DomainsPerStep(graph, specs, (int)spec.Lower.element_size(), options.Optimization.Iterations > 0,
            options.StepBytes, options.BatchSize);
        if (BabLoop.Run(store, search, options, budget, memory, maxBatch) is { } result) return result;
        return search.Unsplittable > 0
            ? new BabResult(BabStatus.Unknown, null, search.Domains, search.Steps,
                $"{search.Unsplittable} domains had no neuron interval left to split")
            : new BabResult(BabStatus.Proved, null, search.Domains, search.Steps, null);
    }

    /// <summary>Whether the search applies: the graph has activation or max-pooling neurons that feed the output.</summary>
    public static bool Supports(ComputationGraph graph) => Splittable(graph).Length > 0 || Pools(graph).Length > 0;

    static Node[] Splittable(ComputationGraph graph)
    {
        var ancestors = graph.AncestorsOf(graph.OutputIndex);
        return graph.Nodes.Where(n => n.Op is ActivationOperator && ancestors[n.Index]).ToArray();
    }

    static Node[] Pools(ComputationGraph graph)
    {
        var ancestors = graph.AncestorsOf(graph.OutputIndex);
        return graph.Nodes.Where(n => n.Op is MaxPool && ancestors[n.Index]).ToArray();
    }

    /// <summary>
    /// Pending domains: the flat disjunct index, the interval of every split site's input neuron [n, Σ neurons] as two
    /// rows (±inf: no constraint), the parent's bound, and the quantised best alphas [n, specs, Σ activation neurons] (null: cold start).
    /// </summary>
    sealed record IntervalDomains(Tensor Flat, Tensor Lo, Tensor Hi, Tensor ParentLb, Tensor? Alphas) : IDomainRows<IntervalDomains>
    {
        public Tensor?[] Fields => new[] { Flat, Lo, Hi, ParentLb, Alphas };

        public static IntervalDomains FromFields(Tensor?[] f) => new(f[0]!, f[1]!, f[2]!, f[3]!, f[4]);

        public IntervalDomains Rows(Tensor rows) => new(Flat.index_select(0, rows), Lo.index_select(0, rows),
            Hi.index_select(0, rows), ParentLb.index_select(0, rows), Alphas?.index_select(0, rows));
    }

    /// <summary>The steps of one search: bound a batch, look for counterexamples, split the rest.</summary>
    sealed class Search(ComputationGraph graph, SpecBatch spec, IntervalBounds[] rootBounds, Node[] acts, Node[] sites, long[] offsets,
        BabOptions options, Func<int, double[], Counterexample?> confirm, Budget budget) : IBabSearch<IntervalDomains>
    {
        public long Domains { get; private set; }

        public int Steps { get; private set; }

        /// <summary>Open domains dropped because none of their neurons could be split further.</summary>
        public long Unsplittable { get; private set; }

        /// <summary>Both children of every open domain of the last step, or null when none is left open.</summary>
        public (IntervalDomains Low, IntervalDomains High)? Children { get; private set; }

        IntervalDomains[] IBabSearch<IntervalDomains>.Children => Children is { } c ? new[] { c.Low, c.High } : Array.Empty<IntervalDomains>();

        /// <summary>Worst bound first, or in creation order.</summary>
        public Tensor? Order(IntervalDomains pending) => options.WorstFirst ? pending.ParentLb.argsort() : null;

        public BabResult? Step(IntervalDomains batch)
        {
            Children = null;
            long taken = batch.Flat.shape[0];
            if (IntermediateBounds(batch) is not { } all)
                return new BabResult(BabStatus.Timeout, null, Domains, Steps, "time limit reached");
            Domains += taken;
            Steps++;
            // An empty clamped interval: no input of the box reaches the domain, which is refuted.
            var (allLower, allUpper) = Flatten(all);
            // NaN compares false, so it must be caught before it could pass for an empty interval.
            if (allLower.isnan().logical_or(allUpper.isnan()).any().item<bool>())
                return new BabResult(BabStatus.Unknown, null, Domains, Steps, "an intermediate bound pass produced NaN");
            var feasible = (allLower > allUpper).any(1).logical_not().nonzero().reshape(-1);
            if (feasible.shape[0] == 0) return null;
            batch = batch.Rows(feasible);
            var bounds = all.Select(ib => ib.Lower is null ? ib
                : new IntervalBounds(ib.Lower.index_select(0, feasible), ib.Upper.index_select(0, feasible))).ToArray();
            var (lower, upper) = (allLower.index_select(0, feasible), allUpper.index_select(0, feasible));
            long b = batch.Flat.shape[0];
            var caseIdx = spec.CaseOf(batch.Flat);
            var (c, bias, mask) = spec.AtomsOf(batch.Flat);
            var capture = new Dictionary<int, Tensor>();
            using var warm = batch.Alphas is not null
                ? new AlphaWarmStart(ReluSplitBab.Dequantise(acts, offsets, batch.Alphas, spec.Lower.dtype))
                : null;
            var lb = OptimizedBound.SpecLower(graph, bounds, c, bias, options.Optimization, null,
                best => InputSplitBab.Refuted(best, mask).all().item<bool>(), capture, budget.Cancel, warm, Constraints(batch));
            var bestAlphas = batch.Alphas is null ? null : ReluSplitBab.Quantise(acts, warm!.Best, batch.Alphas);
            if (lb.isnan().any().item<bool>())
                return new BabResult(BabStatus.Unknown, null, Domains, Steps, "a bound pass produced NaN");
            var masked = lb.masked_fill(mask.logical_not(), double.NegativeInfinity);
            var dl = torch.fmax(masked.amax(1), batch.ParentLb);
            var keep = (dl <= 0).nonzero().reshape(-1);
            if (keep.shape[0] == 0) return null;
            if (capture.TryGetValue(0, out var inputA) && Candidates(batch.Flat.index_select(0, keep), caseIdx.index_select(0, keep),
                    inputA.reshape(b, c.shape[1], -1).index_select(0, keep), masked.index_select(0, keep)) is { } cex)
                return new BabResult(BabStatus.Violated, cex, Domains, Steps, null);
            var (l, u) = (lower.index_select(0, keep), upper.index_select(0, keep));
            var (score, points) = Scores(l, u, capture, mask.index_select(0, keep), keep);
            var (best, bestIdx) = score.max(1);
            var open = (best >= 0).nonzero().reshape(-1);
            Unsplittable += keep.shape[0] - open.shape[0];
            if (open.shape[0] == 0) return null;
            keep = keep.index_select(0, open);
            bestIdx = bestIdx.index_select(0, open);
            var pl = l.index_select(0, open).gather(1, bestIdx.unsqueeze(1)).squeeze(1);
            var pu = u.index_select(0, open).gather(1, bestIdx.unsqueeze(1)).squeeze(1);
            // A max pool's input carries its own point (NaN for activation neurons, whose point the rule chooses).
            var given = points.index_select(0, open).gather(1, bestIdx.unsqueeze(1)).squeeze(1);
            var point = torch.where(given.isnan(), SplitPoints(bestIdx, pl, pu), given);
            var parent = batch.Rows(keep) with { ParentLb = dl.index_select(0, keep), Alphas = bestAlphas?.index_select(0, keep) };
            var col = bestIdx.unsqueeze(1);
            var at = point.unsqueeze(1).to_type(parent.Hi.dtype);
            Children = (parent with { Hi = parent.Hi.scatter(1, col, torch.minimum(parent.Hi.gather(1, col), at)) },
                parent with { Lo = parent.Lo.scatter(1, col, torch.maximum(parent.Lo.gather(1, col), at)) });
            return null;
        }

        /// <summary>The input bounds of every activation node, flattened and joined [b, Σ neurons].</summary>
        (Tensor Lower, Tensor Upper) Flatten(IntervalBounds[] bounds)
        {
            long b = bounds[0].Lower.shape[0];
            return (torch.cat(sites.Select(a => bounds[a.Inputs[0]].Lower.reshape(b, -1)).ToArray(), 1),
                torch.cat(sites.Select(a => bounds[a.Inputs[0]].Upper.reshape(b, -1)).ToArray(), 1));
        }

        /// <summary>The batch's interval constraints keyed by split-site node (activation or max pool), shaped like its input.</summary>
        Dictionary<int, IntervalBounds> Constraints(IntervalDomains batch)
        {
            long b = batch.Flat.shape[0];
            var result = new Dictionary<int, IntervalBounds>();
            for (int k = 0; k < sites.Length; k++)
            {
                var shape = ComputationGraph.Batched(b, graph.Nodes[sites[k].Inputs[0]].Shape);
                result[sites[k].Index] = new IntervalBounds(batch.Lo.narrow(1, offsets[k], Width(k)).reshape(shape),
                    batch.Hi.narrow(1, offsets[k], Width(k)).reshape(shape));
            }
            return result;
        }

        /// <summary>
        /// Every node's bounds for the batch by CROWN from the case boxes, each node intersected with the root's bounds
        /// and its domain's intervals before later nodes use it; null when cancelled.
        /// </summary>
        IntervalBounds[]? IntermediateBounds(IntervalDomains batch)
        {
            var caseIdx = spec.CaseOf(batch.Flat);
            var byInput = new Dictionary<int, List<IntervalBounds>>();
            foreach (var (node, range) in Constraints(batch))
            {
                int input = graph.Nodes[node].Inputs[0];
                if (!byInput.TryGetValue(input, out var list)) byInput[input] = list = new List<IntervalBounds>();
                list.Add(range);
            }
            long total = caseIdx.shape[0], chunk = RecomputeChunk(graph);
            var parts = new List<IntervalBounds[]>();
            try
            {
                for (long start = 0; start < total; start += chunk)
                {
                    long len = Math.Min(chunk, total - start);
                    var rows = caseIdx.narrow(0, start, len);
                    IntervalBounds Refine(int node, IntervalBounds ib)
                    {
                        var root = rootBounds[node];
                        var result = root.Lower is null ? ib : ib.Intersect(new IntervalBounds(root.Lower.index_select(0, rows), root.Upper.index_select(0, rows)));
                        if (byInput.TryGetValue(node, out var ranges))
                            foreach (var r in ranges)
                                result = new IntervalBounds(torch.maximum(result.Lower, r.Lower.narrow(0, start, len)),
                                    torch.minimum(result.Upper, r.Upper.narrow(0, start, len)));
                        return result;
                    }
                    var box = new IntervalBounds(spec.Lower.index_select(0, rows), spec.Upper.index_select(0, rows));
                    parts.Add(BoundComputer.Intermediate(graph, box, new BoundOptions(), Refine, budget.Cancel, FirstRetightened(batch, start, len)));
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            if (parts.Count == 1) return parts[0];
            return Enumerable.Range(0, parts[0].Length).Select(i => parts[0][i].Lower is null ? parts[0][i]
                : new IntervalBounds(torch.cat(parts.Select(p => p[i].Lower).ToArray()), torch.cat(parts.Select(p => p[i].Upper).ToArray()))).ToArray();
        }

        /// <summary>
        /// The first node a chunk's splits can tighten: the one after the earliest activation input with a finite
        /// interval side in rows [start, start + len). Nodes before it keep the root's bounds, which CROWN from the same
        /// box cannot improve (they are CROWN's, or tighter).
        /// </summary>
        int FirstRetightened(IntervalDomains batch, long start, long len)
        {
            int first = graph.OutputIndex + 1;
            for (int k = 0; k < sites.Length; k++)
            {
                int input = sites[k].Inputs[0];
                if (input + 1 >= first) continue;
                var lo = batch.Lo.narrow(0, start, len).narrow(1, offsets[k], Width(k));
                var hi = batch.Hi.narrow(0, start, len).narrow(1, offsets[k], Width(k));
                if (lo.isfinite().logical_or(hi.isfinite()).any().item<bool>()) first = input + 1;
            }
            return first;
        }

        /// <summary>
        /// Tests the corner minimising each open domain's linear bound and a random point of its box (seeded by the
        /// step: the boxes do not shrink, so fresh starts matter), each refined by signed-gradient steps.
        /// </summary>
        Counterexample? Candidates(Tensor flat, Tensor caseIdx, Tensor inputA, Tensor atomLower)
        {
            var lo = spec.Lower.index_select(0, caseIdx);
            var hi = spec.Upper.index_select(0, caseIdx);
            var corner = CandidateCheck.WorstCorner(inputA, atomLower, lo, hi);
            var gen = new Generator((ulong)Steps);
            var random = lo + (hi - lo) * torch.rand(lo.shape, generator: gen, dtype: lo.dtype).to(lo.device);
            var starts = torch.cat(new[] { corner, random });
            var twice = torch.cat(new[] { flat, flat });
            var refined = CandidateCheck.Refine(graph, spec, starts, twice, torch.cat(new[] { lo, lo }), torch.cat(new[] { hi, hi }));
            return CandidateCheck.Find(graph, spec, torch.cat(new[] { starts, refined }), torch.cat(new[] { twice, twice }), confirm);
        }

        /// <summary>Neurons of split site <paramref name="k"/>: the numel of its node's input.</summary>
        long Width(int k) => offsets[k + 1] - offsets[k];

        /// <summary>
        /// Branching scores [kept, Σ neurons] (<see cref="RelaxationGapScore"/> for activations,
        /// <see cref="MaxPool.SplitChoice"/> for max pools' inputs); −1 where a neuron cannot be split: a hinge that is
        /// stable, a pool input that helps no window, or an interval narrower than <see cref="MinWidth"/>. With them the
        /// split points of the pools' inputs [kept, Σ neurons] (NaN elsewhere).
        /// </summary>
        (Tensor Score, Tensor Point) Scores(Tensor l, Tensor u, Dictionary<int, Tensor> capture, Tensor mask, Tensor keep)
        {
            var parts = new List<Tensor>();
            var points = new List<Tensor>();
            var m = mask.unsqueeze(2);
            for (int k = 0; k < sites.Length; k++)
            {
                var lk = l.narrow(1, offsets[k], Width(k));
                var uk = u.narrow(1, offsets[k], Width(k));
                var splittable = uk - lk > MinWidth * (1 + lk.abs() + uk.abs());
                Tensor Magnitude(Tensor a, bool positiveSide) =>
                    ((positiveSide ? a.clamp_min(0) : a.clamp_max(0).abs()) * m).sum(1);
                var a = capture.TryGetValue(sites[k].Index, out var captured) ? captured.index_select(0, keep).flatten(2) : null;
                if (sites[k].Op is MaxPool pool)
                {
                    var inShape = graph.Nodes[sites[k].Inputs[0]].Shape;
                    long kept = lk.shape[0];
                    var weight = a is null ? torch.zeros(kept, sites[k].Numel, dtype: lk.dtype, device: lk.device) : (a.abs() * m).sum(1);
                    var (poolScore, poolPoint) = pool.SplitChoice(new IntervalBounds(lk.reshape(ComputationGraph.Batched(kept, inShape)),
                        uk.reshape(ComputationGraph.Batched(kept, inShape))), inShape, weight);
                    parts.Add(torch.where(splittable, poolScore, torch.full_like(poolScore, -1)));
                    points.Add(poolPoint);
                    continue;
                }
                var op = (ActivationOperator)sites[k].Op;
                var positive = a is null ? torch.zeros_like(lk) : Magnitude(a, true);
                var negative = a is null ? torch.zeros_like(lk) : Magnitude(a, false);
                var score = RelaxationGapScore.Of(op, lk, uk, positive, negative);
                if (op.PiecewiseLinear is not null) splittable = splittable.logical_and(lk < 0).logical_and(uk > 0);
                parts.Add(torch.where(splittable, score, torch.full_like(score, -1)));
                points.Add(torch.full_like(lk, double.NaN));
            }
            return (torch.cat(parts, 1), torch.cat(points, 1));
        }

        /// <summary>The split point of each domain's chosen neuron (flat index [n], interval [pl, pu]).</summary>
        Tensor SplitPoints(Tensor neuron, Tensor pl, Tensor pu)
        {
            var point = (pl + pu) / 2;
            for (int k = 0; k < acts.Length; k++)
            {
                var inNode = (neuron >= offsets[k]).logical_and(neuron < offsets[k + 1]);
                var rows = inNode.nonzero().reshape(-1);
                if (rows.shape[0] == 0) continue;
                var chosen = SplitPoint.Choose((ActivationOperator)acts[k].Op, pl.index_select(0, rows), pu.index_select(0, rows), options.SplitPoint);
                point = point.index_copy(0, rows, chosen);
            }
            return point;
        }
    }

    /// <summary>Relative width (of 1 + |l| + |u|) below which an interval is not split further.</summary>
    const double MinWidth = 1e-5;

    /// <summary>
    /// Domains whose intermediate bounds are recomputed together: 16 (as ReLU splitting) for MNIST-sized layers, more for
    /// small ones, so that a CROWN coefficient matrix of a chunk stays near 2^23 elements and small networks are not
    /// slowed by per-chunk overhead.
    /// </summary>
    static long RecomputeChunk(ComputationGraph graph)
    {
        double widest = graph.Nodes.Max(n => (double)n.Numel);
        return (long)Math.Clamp((1 << 23) / (widest * widest), 16, 1024);
    }
}
