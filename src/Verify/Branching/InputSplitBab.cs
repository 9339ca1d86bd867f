using Verify.Bounds;
using Verify.Graph;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// Branch and bound by splitting the input box, for low-dimensional inputs: every pending (box, disjunct) domain is
/// bounded in one batched pass (forward linear intermediate bounds, cheap for few inputs, optionally tightened by
/// CROWN; CROWN / alpha-CROWN for the property); refuted domains are dropped, the rest are halved along the input
/// dimension with the largest smear (Σ over inexact neurons of |coefficient|·width, as in ReluVal), and candidate points (box centres and the corners
/// minimising the linear bound) are tested for counterexamples.
/// </summary>
public static class InputSplitBab
{
    /// <summary>
    /// Searches the unrefuted disjuncts <paramref name="flatDisjuncts"/> (flat indices into <paramref name="spec"/>)
    /// until all are refuted, a counterexample is confirmed by <paramref name="confirm"/>, or the deadline passes.
    /// </summary>
    public static BabResult Run(ComputationGraph graph, SpecBatch spec, long[] flatDisjuncts, BabOptions options,
        Func<int, double[], Counterexample?> confirm, DateTime deadline, CancellationToken cancel = default)
    {
        using var outer = torch.NewDisposeScope();
        var device = spec.Lower.device;
        var flat = torch.tensor(flatDisjuncts, device: device);
        var caseIdx = spec.CaseOf(flat);
        var lo = spec.Lower.index_select(0, caseIdx);
        var hi = spec.Upper.index_select(0, caseIdx);
        // Store bytes per domain: its box's two corners and its flat index.
        long bytesPerDomain = 2 * lo.shape[1] * lo.ElementSize + sizeof(long);
        long domains = 0;
        int steps = 0;
        var trimmer = new HeapTrimmer();
        using var memory = new MemoryGuard(options.MemoryLimitBytes);
        while (flat.shape[0] > 0)
        {
            trimmer.BetweenSteps();
            long n = flat.shape[0], b = Math.Min(n, options.BatchSize);
            if (BabLimits.Check(n, options, deadline, cancel, domains, steps, memory, MemoryGuard.StoreGrowth(n, b, bytesPerDomain)) is { } stop) return stop;
            using var scope = torch.NewDisposeScope();
            var bLo = lo.narrow(0, 0, b);
            var bHi = hi.narrow(0, 0, b);
            var bFlat = flat.narrow(0, 0, b);
            var (c, bias, mask) = spec.AtomsOf(bFlat);
            var box = new IntervalBounds(bLo, bHi);
            IntervalBounds[] bounds;
            Tensor influence;
            try
            {
                bounds = ForwardPass.Intermediate(graph, box, out influence, cancel: cancel);
                if (options.InputSplitCrownIntermediate)
                {
                    var forward = bounds;
                    bounds = BoundComputer.Intermediate(graph, box, new BoundOptions(), (i, ib) => ib.Intersect(forward[i]), cancel);
                }
            }
            catch (OperationCanceledException)
            {
                return new BabResult(BabStatus.Timeout, null, domains, steps, "time limit reached");
            }
            var capture = new Dictionary<int, Tensor>();
            Tensor lb;
            using (torch.no_grad())
                lb = OptimizedBound.SpecLower(graph, bounds, c, bias, options.StepOptimization with { Iterations = 0 },
                    capture: capture, cancel: cancel);
            if (options.StepOptimization.Iterations > 0)
            {
                // alpha-CROWN where CROWN alone did not refute.
                var open = Refuted(lb, mask).logical_not();
                if (open.any().item<bool>())
                    lb = torch.fmax(lb, OptimizedBound.SpecLower(graph, bounds, c, bias, options.StepOptimization,
                        done: best => Refuted(best, mask).all().item<bool>(), cancel: cancel));
            }
            domains += b;
            steps++;
            if (lb.isnan().any().item<bool>())
                return new BabResult(BabStatus.Unknown, null, domains, steps, "a bound pass produced NaN");
            var refuted = Refuted(lb, mask);
            var keep = refuted.logical_not().nonzero().reshape(-1);
            var inputA = capture[0].reshape(b, c.shape[1], -1);
            if (keep.shape[0] > 0)
            {
                var kLo = bLo.index_select(0, keep);
                var kHi = bHi.index_select(0, keep);
                var kFlat = bFlat.index_select(0, keep);
                var kA = inputA.index_select(0, keep);
                var kMask = mask.index_select(0, keep);
                var kLb = lb.index_select(0, keep).masked_fill(kMask.logical_not(), double.NegativeInfinity);
                // Candidates: the centre, and the corner minimising the linear bound of the hardest atom.
                var corner = CandidateCheck.WorstCorner(kA, kLb, kLo, kHi);
                var refined = CandidateCheck.Refine(graph, spec, corner, kFlat, kLo, kHi);
                var points = torch.cat(new[] { (kLo + kHi) / 2, corner, refined });
                var pointFlat = torch.cat(new[] { kFlat, kFlat, kFlat });
                if (CandidateCheck.Find(graph, spec, points, pointFlat, confirm) is { } cex)
                    return new BabResult(BabStatus.Violated, cex, domains, steps, null);
                var width = kHi - kLo;
                if (width.amax(1).min().to_type(ScalarType.Float64).item<double>() <= 1e-12)
                    return new BabResult(BabStatus.Unknown, null, domains, steps, "a point-sized domain could not be decided");
                // Smear: the dimension that moves the inexact neurons most; the bound's own sensitivity breaks ties.
                var score = influence.index_select(0, keep) + 1e-9 * width * (kA.abs() * kMask.unsqueeze(2)).sum(1);
                var dim = score.argmax(1, keepdim: true);
                var mid = (kLo.gather(1, dim) + kHi.gather(1, dim)) / 2;
                var leftHi = kHi.scatter(1, dim, mid);
                var rightLo = kLo.scatter(1, dim, mid);
                var newLo = torch.cat(new[] { lo.narrow(0, b, n - b), kLo, rightLo });
                var newHi = torch.cat(new[] { hi.narrow(0, b, n - b), leftHi, kHi });
                var newFlat = torch.cat(new[] { flat.narrow(0, b, n - b), kFlat, kFlat });
                Replace(ref lo, newLo, ref hi, newHi, ref flat, newFlat);
            }
            else
            {
                Replace(ref lo, lo.narrow(0, b, n - b), ref hi, hi.narrow(0, b, n - b), ref flat, flat.narrow(0, b, n - b));
            }
        }
        return new BabResult(BabStatus.Proved, null, domains, steps, null);
    }

    /// <summary>Which domains are refuted: some real atom has a positive lower bound ([n]).</summary>
    public static Tensor Refuted(Tensor atomLower, Tensor mask) =>
        atomLower.masked_fill(mask.logical_not(), double.NegativeInfinity).amax(1) > 0;

    static void Replace(ref Tensor lo, Tensor newLo, ref Tensor hi, Tensor newHi, ref Tensor flat, Tensor newFlat)
    {
        var (a, b, c) = (newLo.contiguous().MoveToOuterDisposeScope(), newHi.contiguous().MoveToOuterDisposeScope(),
            newFlat.contiguous().MoveToOuterDisposeScope());
        lo.Dispose(); hi.Dispose(); flat.Dispose();
        (lo, hi, flat) = (a, b, c);
    }
}
