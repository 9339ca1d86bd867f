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
    /// when given, guards the steps (else a guard for <see cref="BabOptions.MemoryLimitBytes"/>).
    /// </summary>
    public static BabResult Run(ComputationGraph graph, SpecBatch spec, IntervalBounds[] rootBounds, long[] flatDisjuncts,
        BabOptions options, Func<int, double[], Counterexample?> confirm, DateTime deadline, CancellationToken cancel = default,
        double[]? rootLower = null, MemoryGuard? memory = null)
    {
        using var outer = torch.NewDisposeScope();
        var device = spec.Lower.device;
        var relus = graph.Nodes.Where(n => IsSplittable(n.Op) && graph.AncestorsOf(graph.OutputIndex)[n.Index]).ToArray();
        if (graph.Nodes.FirstOrDefault(n => n.Op.NeedsInputBounds && !IsSplittable(n.Op)) is { } other)
            return new BabResult(BabStatus.Unknown, null, 0, 0,
                $"neuron splitting supports two-piece linear activations only (node {other.Name} is {other.Op.OpType})");
        var offsets = new long[relus.Length + 1];
        for (int k = 0; k < relus.Length; k++) offsets[k + 1] = offsets[k] + relus[k].Numel;
        long total = offsets[^1];
        var flat = torch.tensor(flatDisjuncts, device: device);
        var signs = torch.zeros(flat.shape[0], total, dtype: ScalarType.Int8, device: device);
        // The root domains start from the bounds already proved for them (e.g. by alpha-CROWN with more steps).
        var parentLb = rootLower is null
            ? torch.full(flat.shape[0], double.NegativeInfinity, dtype: spec.Lower.dtype, device: device)
            : torch.tensor(rootLower, dtype: ScalarType.Float64).to(spec.Lower.dtype, device);
        // Each domain's alphas at its best bound, quantised to a byte (255: not yet optimised), inherited by its children.
        long specs = spec.AtomsOf(flat.narrow(0, 0, Math.Min(1, flat.shape[0]))).C.shape[1];
        var alphas = options.WarmStartAlpha
            ? torch.full(new[] { flat.shape[0], specs, total }, AlphaUnset, dtype: ScalarType.Byte, device: device)
            : null;
        // Store bytes per domain: flat index, signs, parent bound and quantised alphas.
        long bytesPerDomain = sizeof(long) + total + parentLb.ElementSize + (alphas is null ? 0 : specs * total);
        using var leaves = new LeafDecision(graph, spec, relus, offsets);
        long domains = 0;
        int steps = 0;
        var trimmer = new HeapTrimmer();
        using var ownGuard = memory is null ? new MemoryGuard(options.MemoryLimitBytes) : null;
        memory ??= ownGuard;
        while (flat.shape[0] > 0)
        {
            trimmer.BetweenSteps();
            long n = flat.shape[0], b = Math.Min(n, options.BatchSize);
            if (BabLimits.Check(n, options, deadline, cancel, domains, steps, memory, MemoryGuard.StoreGrowth(n, b, bytesPerDomain)) is { } stop) return stop;
            using var scope = torch.NewDisposeScope();
            // Worst bound first, or in creation order.
            var order = options.WorstFirst ? parentLb.argsort() : torch.arange(n, device: device);
            var pick = order.narrow(0, 0, b);
            var rest = order.narrow(0, b, n - b);
            var bFlat = flat.index_select(0, pick);
            var bSigns = signs.index_select(0, pick);
            var bAlphas = alphas?.index_select(0, pick);
            var caseIdx = spec.CaseOf(bFlat);
            var (c, bias, mask) = spec.AtomsOf(bFlat);
            var splits = new Dictionary<int, Tensor>();
            var signOf = new Dictionary<int, Tensor>();
            for (int k = 0; k < relus.Length; k++)
            {
                var s = bSigns.narrow(1, offsets[k], relus[k].Numel).to_type(spec.Lower.dtype)
                    .reshape(ComputationGraph.Batched(b, relus[k].Shape));
                splits[relus[k].Index] = s;
                signOf[relus[k].Inputs[0]] = s;
            }
            IntervalBounds Clamp(int node, IntervalBounds ib) => signOf.TryGetValue(node, out var s) ? Clamped(ib, s) : ib;
            IntervalBounds[] bounds;
            if (options.RecomputeIntermediate)
            {
                var box = new IntervalBounds(spec.Lower.index_select(0, caseIdx), spec.Upper.index_select(0, caseIdx));
                try
                {
                    bounds = RecomputedBounds(graph, box, signOf, cancel);
                }
                catch (OperationCanceledException)
                {
                    return new BabResult(BabStatus.Timeout, null, domains, steps, "time limit reached");
                }
            }
            else
            {
                bounds = rootBounds.Select((rb, i) => rb.Lower is null ? rb
                    : Clamp(i, new IntervalBounds(rb.Lower.index_select(0, caseIdx), rb.Upper.index_select(0, caseIdx)))).ToArray();
            }
            var capture = new Dictionary<int, Tensor>();
            bool fsb = options.Branching == BranchingRule.Fsb;
            // Filtered smart branching re-bounds the children with the parent's best alphas and betas, so it keeps them
            // even when the store does not (cold start: the search itself starts each domain from the default slopes).
            using var warm = bAlphas is not null
                ? new AlphaWarmStart(Dequantise(relus, offsets, bAlphas, spec.Lower.dtype), keepBetas: fsb)
                : fsb ? new AlphaWarmStart(new Dictionary<int, Tensor>(), keepBetas: true) : null;
            var lb = OptimizedBound.SpecLower(graph, bounds, c, bias, options.StepOptimization, splits,
                best => InputSplitBab.Refuted(best, mask).all().item<bool>(), capture, cancel, warm);
            var bestAlphas = bAlphas is null ? null : Quantise(relus, warm!.Best, bAlphas);
            domains += b;
            steps++;
            if (lb.isnan().any().item<bool>())
                return new BabResult(BabStatus.Unknown, null, domains, steps, "a bound pass produced NaN");
            var masked = lb.masked_fill(mask.logical_not(), double.NegativeInfinity);
            // A sub-domain inherits its parent's bound (its region is a subset), so a short optimisation never loses it.
            var dl = torch.fmax(masked.amax(1), parentLb.index_select(0, pick));
            var keep = (dl <= 0).nonzero().reshape(-1);
            if (keep.shape[0] > 0)
            {
                var kFlat = bFlat.index_select(0, keep);
                var kSigns = bSigns.index_select(0, keep);
                var kCase = caseIdx.index_select(0, keep);
                var kLo = spec.Lower.index_select(0, kCase);
                var kHi = spec.Upper.index_select(0, kCase);
                if (capture.TryGetValue(0, out var inputA))
                {
                    var kA = inputA.reshape(b, c.shape[1], -1).index_select(0, keep);
                    var corner = CandidateCheck.WorstCorner(kA, masked.index_select(0, keep), kLo, kHi);
                    var refined = CandidateCheck.Refine(graph, spec, corner, kFlat, kLo, kHi);
                    if (CandidateCheck.Find(graph, spec, torch.cat(new[] { corner, refined }), torch.cat(new[] { kFlat, kFlat }), confirm) is { } cex)
                        return new BabResult(BabStatus.Violated, cex, domains, steps, null);
                }
                var score = Scores(relus, bounds, capture, mask, keep);
                var (best, bestIdx) = score.max(1);
                // Leaves: every ReLU split or stable, or so few unstable ones left that SCIP is cheaper than splitting.
                var unstableLeft = (score >= 0).sum(1);
                var leaf = (best < 0).logical_or(unstableLeft <= options.ExactLeafUnstable);
                if (leaf.any().item<bool>())
                {
                    // Decide these exactly (binaries only for the unstable neurons left), split only the others.
                    foreach (var row in leaf.nonzero().reshape(-1).cpu().data<long>().ToArray())
                    {
                        long flatIndex = kFlat[row].item<long>();
                        var (outcome, x) = leaves.Decide(flatIndex, kSigns[row].cpu().data<sbyte>().ToArray(), deadline, cancel);
                        if (outcome == MipVerifier.Outcome.Refuted) continue;
                        if (outcome == MipVerifier.Outcome.TimedOut)
                            return new BabResult(BabStatus.Timeout, null, domains, steps, "time limit reached");
                        if (outcome == MipVerifier.Outcome.Reached && confirm((int)(flatIndex / spec.Disjuncts), x!) is { } leafCex)
                            return new BabResult(BabStatus.Violated, leafCex, domains, steps, null);
                        return new BabResult(BabStatus.Unknown, null, domains, steps, outcome == MipVerifier.Outcome.Reached
                            ? "the exact solution of a domain with every ReLU split was not confirmed by ONNX Runtime"
                            : "a domain with every ReLU split could not be decided");
                    }
                    var open = leaf.logical_not().nonzero().reshape(-1);
                    keep = keep.index_select(0, open);
                    kFlat = kFlat.index_select(0, open);
                    kSigns = kSigns.index_select(0, open);
                    bestIdx = bestIdx.index_select(0, open);
                    score = score.index_select(0, open);
                }
                if (fsb && keep.shape[0] > 0)
                    bestIdx = FilteredSmartBranching.Choose(graph, relus, bounds.Select(ib => ib.Lower is null ? ib
                            : new IntervalBounds(ib.Lower.index_select(0, keep), ib.Upper.index_select(0, keep))).ToArray(),
                        c.index_select(0, keep), bias.index_select(0, keep), mask.index_select(0, keep), score,
                        options.FsbCandidates, Rows(warm!.Best, keep), Rows(splits, keep), Rows(warm.BestBeta, keep), dl.index_select(0, keep));
                var plus = kSigns.clone();
                var minus = kSigns.clone();
                var col = bestIdx.unsqueeze(1);
                plus.scatter_(1, col, torch.ones(col.shape, dtype: ScalarType.Int8, device: device));
                minus.scatter_(1, col, torch.full(col.shape, -1, dtype: ScalarType.Int8, device: device));
                var kLb = dl.index_select(0, keep);
                var newFlat = torch.cat(new[] { flat.index_select(0, rest), kFlat, kFlat });
                var newSigns = torch.cat(new[] { signs.index_select(0, rest), plus, minus });
                var newLb = torch.cat(new[] { parentLb.index_select(0, rest), kLb, kLb });
                Swap(ref flat, newFlat); Swap(ref signs, newSigns); Swap(ref parentLb, newLb);
                if (alphas is not null)
                {
                    var kAlphas = bestAlphas!.index_select(0, keep);
                    Swap(ref alphas, torch.cat(new[] { alphas.index_select(0, rest), kAlphas, kAlphas }));
                }
            }
            else
            {
                Swap(ref flat, flat.index_select(0, rest)); Swap(ref signs, signs.index_select(0, rest));
                Swap(ref parentLb, parentLb.index_select(0, rest));
                if (alphas is not null) Swap(ref alphas, alphas.index_select(0, rest));
            }
        }
        return new BabResult(BabStatus.Proved, null, domains, steps, null);
    }

    /// <summary>Whether an operator's neurons can be split at 0 (a two-piece linear activation).</summary>
    static bool IsSplittable(Operator op) => op is ActivationOperator { PiecewiseLinear: not null };

    /// <summary>A ReLU input's bounds with its split signs applied (+1: lower clamped to 0, −1: upper clamped to 0).</summary>
    static IntervalBounds Clamped(IntervalBounds ib, Tensor signs) =>
        new(torch.where(signs > 0, ib.Lower.clamp_min(0), ib.Lower), torch.where(signs < 0, ib.Upper.clamp_max(0), ib.Upper));

    /// <summary>Domains whose intermediate bounds are recomputed together (bounds the CROWN matrices' memory and the time between cancellation checks).</summary>
    const int RecomputeChunk = 16;

    /// <summary>
    /// Every node's bounds for the domains' boxes by CROWN with each domain's splits clamped in, in chunks of
    /// <see cref="RecomputeChunk"/> domains (on MNIST 256x4 whole 1024-domain batches took 12.8 GB and 12 s a step).
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

    const byte AlphaUnset = 255;

    /// <summary>Per ReLU node, the stored alphas [batch, specs, ...shape] in [0, 1], NaN where not yet optimised.</summary>
    static Dictionary<int, Tensor> Dequantise(Node[] relus, long[] offsets, Tensor stored, ScalarType dtype)
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
    static Tensor Quantise(Node[] relus, IReadOnlyDictionary<int, Tensor> best, Tensor stored)
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

    static void Swap(ref Tensor t, Tensor replacement)
    {
        var moved = replacement.MoveToOuterDisposeScope();
        t.Dispose();
        t = moved;
    }
}
