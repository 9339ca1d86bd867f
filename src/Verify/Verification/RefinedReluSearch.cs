using Verify.Bounds;
using Verify.Branching;
using Verify.Graph;
using Verify.Operators;
using Verify.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Verification;

/// <summary>
/// ReLU splitting for the disjuncts the root bounds left open, in two stages when MIP refinement is automatic: a first
/// slice of branch and bound decides the easy properties; if it runs out of its time, the root's intermediate bounds
/// are refined by MIP (<see cref="MipRefinement"/>, stopping as soon as alpha-CROWN proves the property with them)
/// and the search starts again from the tighter root with the time left.
/// </summary>
internal static class RefinedReluSearch
{
    /// <summary>
    /// Runs the search. <paramref name="open"/> are the flat disjunct indices still open, <paramref name="openLower"/>
    /// their best root bounds. Refinement results are added to <paramref name="refinement"/>.
    /// </summary>
    public static BabResult Run(ComputationGraph g, SpecBatch spec, IntervalBounds[] root, long[] open, double[] openLower,
        VerifierOptions options, Func<int, double[], Counterexample?> confirm, Budget budget, List<MipRefineResult> refinement)
    {
        var policy = options.MipRefine;
        bool stage = policy.AfterFirstSlice && MipRefinement.Suits(g);
        var slice = stage ? budget.AtMost(policy.FirstSliceShare * options.TimeoutSeconds) : budget;
        using var firstGuard = new MemoryGuard(options.Bab.MaxMemoryBytes);
        var first = ReluSplitBab.Run(g, spec, root, open, options.Bab, confirm, slice, openLower, firstGuard);
        if (!stage || first.Status != BabStatus.Timeout || budget.Expired)
            return first;

        using var byDeadline = budget.CancelAtDeadline();
        var refine = budget.WithCancel(byDeadline.Token).Share(policy.RefineShare);
        IntervalBounds[] refined;
        using (var byBudget = refine.CancelAtDeadline())
            refined = Refine(g, spec, root, options, refine.RemainingSeconds, refinement, byBudget.Token);
        if (byDeadline.IsCancellationRequested) return first with { Reason = "time limit reached" };
        var lower = Verifier.DisjunctLowers(spec, OptimizedBound.SpecLower(g, refined, spec.C, spec.Bias, options.Optimization,
            done: best => Verifier.AllRefuted(spec, best), cancel: byDeadline.Token));
        var stillOpen = open.Where(f => !(lower[f] > 0)).ToArray();
        if (stillOpen.Length == 0) return new BabResult(BabStatus.Proved, null, first.Domains, first.Steps, null);
        // The second search's first step is guarded by the work memory the first search's steps showed.
        using var secondGuard = new MemoryGuard(options.Bab.MaxMemoryBytes, firstGuard.Workspace);
        var second = ReluSplitBab.Run(g, spec, refined, stillOpen, options.Bab, confirm, budget, stillOpen.Select(f => lower[f]).ToArray(), secondGuard);
        return second with { Domains = first.Domains + second.Domains, Steps = first.Steps + second.Steps };
    }

    /// <summary>
    /// The root bounds refined case by case within <paramref name="budget"/> seconds; each case stops early once
    /// alpha-CROWN refutes every disjunct with the refined bounds.
    /// </summary>
    public static IntervalBounds[] Refine(ComputationGraph g, SpecBatch spec, IntervalBounds[] bounds, VerifierOptions options,
        double budget, List<MipRefineResult> refinement, CancellationToken cancel)
    {
        using var scope = torch.NewDisposeScope();
        var lo = spec.Lower.to(ScalarType.Float64).cpu();
        var hi = spec.Upper.to(ScalarType.Float64).cpu();
        var result = bounds;
        // Spread schedule: the last node's neurons by their effect on the property's bound; the earlier ones nearest to
        // stable first, which leaves fewer binaries and tighter bounds for every node above them (docs/benchmarks.md).
        bool scoreLast = options.MipRefine.Schedule == MipRefineSchedule.Spread;
        int last = LpRelaxation.PreActivationNodes(g).DefaultIfEmpty(-1).Last();
        for (int c = 0; c < spec.Cases && budget > 0 && !cancel.IsCancellationRequested; c++)
        {
            var r = MipRefinement.Tighten(g, lo[c].data<double>().ToArray(), hi[c].data<double>().ToArray(), result,
                options.MipRefine.Options(budget / (spec.Cases - c), c, options.IntermediateOptimization),
                b => Verifier.AllRefuted(spec, OptimizedBound.SpecLower(g, b, spec.C, spec.Bias, options.IntermediateOptimization,
                    done: best => Verifier.AllRefuted(spec, best), cancel: cancel)), cancel,
                scoreLast ? (b, node) => node == last ? Importance(g, spec, b, node, c, options.IntermediateOptimization, cancel) : null : null);
            refinement.Add(r);
            result = r.Bounds;
            budget -= r.Seconds;
        }
        // What the refinement created goes to the caller's scope; the caller's own tensors stay where they are.
        for (int i = 0; i < result.Length; i++)
        {
            if (!ReferenceEquals(result[i].Lower, bounds[i].Lower)) result[i].Lower.MoveToOuterDisposeScope();
            if (!ReferenceEquals(result[i].Upper, bounds[i].Upper)) result[i].Upper.MoveToOuterDisposeScope();
        }
        return result;
    }

    /// <summary>
    /// BaBSR-style importance of each neuron of pre-activation <paramref name="node"/> for case <paramref name="c"/>:
    /// the upper relaxation's intercept −l·u/(u−l) weighted by |min(A, 0)|, A the alpha-CROWN coefficients of the
    /// ReLU's output in the bounds of the atoms not yet refuted. Zero for stable neurons.
    /// </summary>
    internal static double[] Importance(ComputationGraph g, SpecBatch spec, IntervalBounds[] bounds, int node, int c,
        OptimizationOptions alpha, CancellationToken cancel)
    {
        using var scope = torch.NewDisposeScope();
        var relu = g.Nodes.First(n => n.Op is ActivationOperator { PiecewiseLinear: not null } && n.Inputs[0] == node);
        var capture = new Dictionary<int, Tensor>();
        var atoms = OptimizedBound.SpecLower(g, bounds, spec.C, spec.Bias, alpha, capture: capture, cancel: cancel);
        var l = bounds[node].Lower[c].flatten().to(ScalarType.Float64).cpu();
        var u = bounds[node].Upper[c].flatten().to(ScalarType.Float64).cpu();
        var intercept = InterceptScore.Intercept(l, u);
        var open = (atoms[c] <= 0).logical_and(spec.AtomMask[c].reshape(-1)).to(ScalarType.Float64).cpu();
        var weight = capture.TryGetValue(relu.Index, out var a)
            ? (a[c].flatten(1).to(ScalarType.Float64).cpu().clamp_max(0).abs() * open.unsqueeze(1)).sum(0)
            : torch.zeros_like(intercept);
        return InterceptScore.Of(weight, intercept).data<double>().ToArray();
    }
}
