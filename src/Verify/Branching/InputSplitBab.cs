using Verify.Bounds;
using Verify.Graph;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// Branch and bound by splitting the input box, for low-dimensional inputs: every pending (box, disjunct) domain is
/// bounded in one batched pass (forward linear intermediate bounds, cheap for few inputs, optionally tightened by
/// CROWN where its cost is affordable; CROWN / alpha-CROWN for the property); refuted domains are dropped, the rest are halved along the input
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
        Func<int, double[], Counterexample?> confirm, Budget budget)
    {
        if (ParameterCheck.FirstNonFinite(graph) is { } bad)
            return new BabResult(BabStatus.Unknown, null, 0, 0, $"node {bad} has a NaN or infinite parameter");
        using var outer = torch.NewDisposeScope();
        // Fires at the deadline, so that a long batched step stops inside (between iterations and layers).
        using var atDeadline = budget.CancelAtDeadline();
        budget = budget.WithCancel(atDeadline.Token);
        var flat = torch.tensor(flatDisjuncts, device: spec.Lower.device);
        var caseIdx = spec.CaseOf(flat);
        using var store = new DomainStore<BoxDomains>(new BoxDomains(spec.Lower.index_select(0, caseIdx), spec.Upper.index_select(0, caseIdx), flat));
        var search = new Search(graph, spec, options, confirm, budget.Cancel);
        using var memory = new MemoryGuard(options.MaxMemoryBytes);
        return BabLoop.Run(store, search, options, budget, memory)
            ?? new BabResult(BabStatus.Proved, null, search.Domains, search.Steps, null);
    }

    /// <summary>Pending input-split domains: each a box [Lower, Upper] ([n, inputs]) and its flat disjunct index.</summary>
    sealed record BoxDomains(Tensor Lower, Tensor Upper, Tensor Flat) : IDomainRows<BoxDomains>
    {
        public Tensor?[] Fields => new Tensor?[] { Lower, Upper, Flat };

        public static BoxDomains FromFields(Tensor?[] f) => new(f[0]!, f[1]!, f[2]!);
    }

    /// <summary>The steps of one search: bound a batch, look for counterexamples, split what is left.</summary>
    sealed class Search(ComputationGraph graph, SpecBatch spec, BabOptions options, Func<int, double[], Counterexample?> confirm,
        CancellationToken cancel) : IBabSearch<BoxDomains>
    {
        public long Domains { get; private set; }

        public int Steps { get; private set; }

        /// <summary>The two halves of every open domain of the last step, or null when every domain was refuted.</summary>
        public (BoxDomains Left, BoxDomains Right)? Children { get; private set; }

        BoxDomains[] IBabSearch<BoxDomains>.Children => Children is { } c ? new[] { c.Left, c.Right } : Array.Empty<BoxDomains>();

        /// <summary>Creation order (first rows first).</summary>
        public Tensor? Order(BoxDomains pending) => null;

        /// <summary>Bounds a batch and prepares its children; returns the search's result when the step ends it.</summary>
        public BabResult? Step(BoxDomains batch)
        {
            Children = null;
            var (c, bias, mask) = spec.AtomsOf(batch.Flat);
            var box = new IntervalBounds(batch.Lower, batch.Upper);
            if (Bound(box, c, bias, mask) is not var (influence, lb, inputA))
                return new BabResult(BabStatus.Timeout, null, Domains, Steps, "time limit reached");
            Domains += batch.Flat.shape[0];
            Steps++;
            // The parameters are finite (checked at the start), so NaN is an overflowed bound: no information, split on.
            lb = torch.where(lb.isnan(), torch.full_like(lb, double.NegativeInfinity), lb);
            inputA = torch.where(inputA.isnan(), torch.zeros_like(inputA), inputA);
            var keep = Refuted(lb, mask).logical_not().nonzero().reshape(-1);
            if (keep.shape[0] == 0) return null;
            var open = new BoxDomains(batch.Lower.index_select(0, keep), batch.Upper.index_select(0, keep), batch.Flat.index_select(0, keep));
            var kA = inputA.index_select(0, keep);
            var kMask = mask.index_select(0, keep);
            var kLb = lb.index_select(0, keep).masked_fill(kMask.logical_not(), double.NegativeInfinity);
            if (Candidates(open, kA, kLb) is { } cex) return new BabResult(BabStatus.Violated, cex, Domains, Steps, null);
            var width = open.Upper - open.Lower;
            if (width.amax(1).min().to_type(ScalarType.Float64).item<double>() <= 1e-12)
                return new BabResult(BabStatus.Unknown, null, Domains, Steps, "a point-sized domain could not be decided");
            // Smear: the dimension that moves the inexact neurons most; the bound's own sensitivity breaks ties.
            // Where the smear overflowed, the widest dimension.
            var smear = influence.index_select(0, keep);
            smear = torch.where(smear.isfinite().all(1, keepdim: true), smear, width);
            var score = smear + 1e-9 * width * (kA.abs() * kMask.unsqueeze(2)).sum(1);
            Children = Halves(open, score.argmax(1, keepdim: true));
            return null;
        }

        /// <summary>
        /// The smear of the intermediate bounds (forward linear, tightened by CROWN when enabled), the atoms' lower bounds
        /// (CROWN, then alpha-CROWN where CROWN did not refute) and the input coefficients; null when cancelled.
        /// </summary>
        (Tensor Influence, Tensor Lower, Tensor InputA)? Bound(IntervalBounds box, Tensor c, Tensor bias, Tensor mask)
        {
            IntervalBounds[] bounds;
            Tensor influence;
            try
            {
                bounds = FewInputBounds.Intermediate(graph, box, out influence, options.InputSplitCrownIntermediate,
                    options.CrownIntermediateMaxMacs, cancel: cancel);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            var capture = new Dictionary<int, Tensor>();
            Tensor lb;
            using (torch.no_grad())
                lb = OptimizedBound.SpecLower(graph, bounds, c, bias, options.Optimization with { Iterations = 0 },
                    capture: capture, cancel: cancel);
            // alpha only where it can refute: an open domain whose CROWN bound is finite (an overflowed one is split),
            // and only on networks cheap enough for backward CROWN intermediate bounds: on the others a step of alpha
            // costs as much as many splits.
            var open = Refuted(lb, mask).logical_not();
            var finite = lb.masked_fill(mask.logical_not(), 0).isfinite().all(1);
            if (options.Optimization.Iterations > 0 && FewInputBounds.CrownAffordable(graph, box.Lower.shape[0], options.CrownIntermediateMaxMacs)
                && open.logical_and(finite).any().item<bool>())
                lb = torch.fmax(lb, OptimizedBound.SpecLower(graph, bounds, c, bias, options.Optimization,
                    done: best => Refuted(best, mask).all().item<bool>(), cancel: cancel));
            return (influence, lb, capture[0].reshape(box.Lower.shape[0], c.shape[1], -1));
        }

        /// <summary>Tests the centre and the corner minimising the linear bound of the hardest atom (and its refinement).</summary>
        Counterexample? Candidates(BoxDomains open, Tensor inputA, Tensor atomLower)
        {
            var corner = CandidateCheck.WorstCorner(inputA, atomLower, open.Lower, open.Upper);
            var refined = CandidateCheck.Refine(graph, spec, corner, open.Flat, open.Lower, open.Upper, cancel: cancel);
            var points = torch.cat(new[] { (open.Lower + open.Upper) / 2, corner, refined });
            return CandidateCheck.Find(graph, spec, points, torch.cat(new[] { open.Flat, open.Flat, open.Flat }), confirm);
        }

        /// <summary>Each box halved along its chosen dimension ([n, 1]).</summary>
        static (BoxDomains, BoxDomains) Halves(BoxDomains open, Tensor dim)
        {
            var mid = (open.Lower.gather(1, dim) + open.Upper.gather(1, dim)) / 2;
            return (new BoxDomains(open.Lower, open.Upper.scatter(1, dim, mid), open.Flat),
                new BoxDomains(open.Lower.scatter(1, dim, mid), open.Upper, open.Flat));
        }
    }

    /// <summary>Which domains are refuted: some real atom has a positive lower bound ([n]).</summary>
    public static Tensor Refuted(Tensor atomLower, Tensor mask) =>
        atomLower.masked_fill(mask.logical_not(), double.NegativeInfinity).amax(1) > 0;
}
