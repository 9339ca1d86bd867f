namespace Verify.SolverHost;

/// <summary>What a solve is asked to do besides the model: limits and solver parameters.</summary>
/// <param name="TimeLimitMs">Wall-clock limit of the solver, in milliseconds (at least 1).</param>
/// <param name="SpecificParameters">Solver-specific parameters in the solver's own text format (SCIP: "name = value" lines).</param>
/// <param name="RelativeGap">Relative MIP gap at which to stop; null leaves the solver's default.</param>
/// <param name="PresolveOff">Switches OR-Tools' generic presolve off (lets GLOP keep its basis between solves).</param>
/// <param name="WantDuals">Whether the reply carries the rows' dual values (LPs).</param>
/// <param name="HangSlackMs">Slack past 1.5 times the limit before an unanswered solve counts as hung.</param>
public sealed record SolveSettings(long TimeLimitMs, string SpecificParameters = "", double? RelativeGap = null,
    bool PresolveOff = false, bool WantDuals = false, long HangSlackMs = 20_000)
{
    /// <summary>The limit after which a solve that has not answered is treated as hung: the solver's own limit plus slack.</summary>
    public TimeSpan HangLimit => TimeSpan.FromMilliseconds(TimeLimitMs * 1.5 + HangSlackMs);
}
