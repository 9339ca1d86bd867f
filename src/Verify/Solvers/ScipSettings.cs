using Verify.SolverHost;

namespace Verify.Solvers;

/// <summary>How our MIPs are handed to SCIP: exact optimality (zero relative gap) and few root cut rounds.</summary>
internal static class ScipSettings
{
    /// <summary>
    /// Cut rounds at the root. SCIP's default (unlimited until stalling) spends seconds separating cuts on
    /// networks with a few dozen binaries that then solve at the root anyway; a handful keeps most of the benefit.
    /// </summary>
    public const int MaxRootCutRounds = 5;

    /// <summary>
    /// Presolving switched off because it changed the optimum. On a LipMIP model (16-8-8-8-10, alpha-CROWN forward
    /// bounds), SCIP reported 1.7112 as optimal while a point of value 1.8008 was feasible: fixing that point in the
    /// same model gives 1.8008. With the bounds widened by random amounts below 1e-10, 25 of 30 solves were wrong.
    /// With dual sparsification off it was still 25 of 30. With varbound presolving off as well, 0 of 30.
    /// Regression tests: AlphaForwardTests.
    /// </summary>
    const string DisabledPresolvers = "presolving/dualsparsify/maxrounds = 0\nconstraints/varbound/maxprerounds = 0\n";

    /// <summary>
    /// No multi-aggregation in presolve. On another machine of ours, SCIP's randrounding heuristic stopped a solve
    /// with "cannot change bounds of multi-aggregated variable" (tree.c, error -9, from a bound change in probing,
    /// heur_randrounding.c → scip_probing.c), and OR-Tools then took the test host down with it. SCIP raises that error
    /// only for a variable whose status is multi-aggregated; with presolving/donotmultaggr no variable ever gets that
    /// status, so the path cannot be reached, whatever numbers the bound passes feed in. Measured: 5 of 750 random split
    /// MIPs (SolverFaultHunt) failed so with multi-aggregation, 0 without, at no measurable cost to MIP refinement
    /// (docs/benchmarks.md). The solver worker
    /// (<see cref="SolverHost.SolverPool"/>) contains whatever else may fail.
    /// </summary>
    const string NoMultiAggregation = "presolving/donotmultaggr = TRUE\n";

    /// <summary>
    /// The time limit and SCIP parameters of a solve. With <paramref name="stopAtObjective"/>, SCIP stops as soon as it
    /// has a solution with that objective or lower; with <paramref name="gap"/>, as soon as the relative or absolute gap
    /// is at most that (default: zero gap).
    /// </summary>
    public static SolveSettings For(double timeLimitSeconds, double? stopAtObjective = null, double gap = 0)
    {
        var settings = $"separating/maxroundsroot = {MaxRootCutRounds}\n{DisabledPresolvers}{NoMultiAggregation}";
        if (stopAtObjective is { } stop) settings += FormattableString.Invariant($"limits/primal = {stop:R}\n");
        if (gap > 0) settings += FormattableString.Invariant($"limits/absgap = {gap:R}\n");
        return new SolveSettings(Milliseconds(timeLimitSeconds), settings, RelativeGap: gap);
    }

    /// <summary>
    /// A second path through SCIP for a solve that failed: no presolving and no cutting planes (slower, but none of
    /// the presolve reductions or separators the first attempt went through).
    /// </summary>
    public static SolveSettings Plain(double timeLimitSeconds, double? stopAtObjective = null) => new(Milliseconds(timeLimitSeconds),
        "presolving/maxrounds = 0\nseparating/maxrounds = 0\nseparating/maxroundsroot = 0\n" +
        (stopAtObjective is { } stop ? FormattableString.Invariant($"limits/primal = {stop:R}\n") : ""), RelativeGap: 0);

    /// <summary>Solves with <see cref="For"/>; when SCIP fails (an error or a dead worker), once more with <see cref="Plain"/> in the time left.</summary>
    public static SolveReply SolveWithRetry(LinearModel model, double timeLimitSeconds, double? stopAtObjective = null,
        CancellationToken cancel = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reply = model.Solve(For(timeLimitSeconds, stopAtObjective), cancel);
        double left = timeLimitSeconds - clock.Elapsed.TotalSeconds;
        if (reply.Status is not (SolveStatus.Abnormal or SolveStatus.Failed) || left <= 0.1 || cancel.IsCancellationRequested) return reply;
        return model.Solve(Plain(left, stopAtObjective), cancel);
    }

    /// <summary>A time limit in whole milliseconds, at least 1.</summary>
    public static long Milliseconds(double seconds) => Math.Max(1, (long)Math.Ceiling(Math.Min(seconds, 1e9) * 1000));
}
