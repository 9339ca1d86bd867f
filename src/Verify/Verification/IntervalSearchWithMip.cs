using Verify.Branching;
using Verify.Graph;
using Verify.Solvers;
using Verify.Spec;

namespace Verify.Verification;

/// <summary>
/// Interval splitting for the disjuncts the root bounds left open and, for piecewise-linear networks it handles (ReLUs
/// with max pools), the exact MIP between two slices of it: when a first slice of the search (the MIP refinement
/// policy's <see cref="MipRefinePolicy.FirstSliceShare"/>) does not decide, SCIP decides the property exactly within
/// the policy's <see cref="MipRefinePolicy.RefineShare"/> of the time left (max pools as in <see cref="NetworkEncoder"/>);
/// a counterexample counts only once the caller's confirmation accepts it; if the MIP decides nothing the search
/// resumes with the time left. Smooth networks, networks too large for automatic MIP refinement
/// (<see cref="MipRefinement.Suits"/>), and a policy without the staged refinement get the search alone.
/// </summary>
internal static class IntervalSearchWithMip
{
    /// <summary>Runs the search; <paramref name="open"/> and <paramref name="openLower"/> as in <see cref="IntervalSplitBab.Run"/>.</summary>
    public static BabResult Run(ComputationGraph g, SpecBatch spec, VnnProperty property, IntervalBounds[] root, long[] open,
        double[] openLower, VerifierOptions options, Func<int, double[], Counterexample?> confirm, Budget budget)
    {
        var policy = options.MipRefine;
        bool stage = policy.AfterFirstSlice && MipRefinement.Suits(g);
        var slice = stage ? budget.AtMost(policy.FirstSliceShare * options.TimeoutSeconds) : budget;
        var first = IntervalSplitBab.Run(g, spec, root, open, options.Bab, confirm, slice, openLower);
        if (!stage || first.Status != BabStatus.Timeout || budget.Expired) return first;

        var mipBudget = budget.Share(policy.RefineShare);
        MipVerdict mip;
        using (var byBudget = mipBudget.CancelAtDeadline())
            mip = MipVerifier.Check(g, property, mipBudget.RemainingSeconds, byBudget.Token);
        if (mip.Verdict == Verdict.Holds) return first with { Status = BabStatus.Proved, Reason = "exact MIP" };
        if (mip.Verdict == Verdict.Violated && mip.Input is not null && confirm(mip.Case, mip.Input) is { } cex)
            return first with { Status = BabStatus.Violated, Counterexample = cex, Reason = "exact MIP" };
        if (budget.Expired) return first;
        var second = IntervalSplitBab.Run(g, spec, root, open, options.Bab, confirm, budget, openLower);
        return second with { Domains = first.Domains + second.Domains, Steps = first.Steps + second.Steps };
    }
}
