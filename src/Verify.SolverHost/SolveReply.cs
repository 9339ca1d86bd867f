namespace Verify.SolverHost;

/// <summary>The outcome of a solve: status, objective value and dual bound, the point and the duals when there are any.</summary>
/// <param name="Status">How the solve ended.</param>
/// <param name="Objective">Objective value of the point found (meaningful for Optimal and Feasible).</param>
/// <param name="BestBound">The solver's proved bound on the minimum (MIP dual bound; for LPs the objective).</param>
/// <param name="Values">The point found, by column (empty when there is none).</param>
/// <param name="Duals">Row dual values when asked for and available (empty otherwise).</param>
/// <param name="Message">What went wrong, for <see cref="SolveStatus.Failed"/> and <see cref="SolveStatus.Abnormal"/>.</param>
public sealed record SolveReply(SolveStatus Status, double Objective, double BestBound, double[] Values, double[] Duals, string? Message = null)
{
    /// <summary>A reply that carries no information, with the reason.</summary>
    public static SolveReply Fail(string message) => new(SolveStatus.Failed, double.NaN, double.NaN, Array.Empty<double>(), Array.Empty<double>(), message);

    /// <summary>A solve stopped before any answer (cancelled or out of time).</summary>
    public static SolveReply NotSolved(string? message = null) => new(SolveStatus.NotSolved, double.NaN, double.NaN, Array.Empty<double>(), Array.Empty<double>(), message);

    /// <summary>Whether a point was found.</summary>
    public bool HasPoint => Status is SolveStatus.Optimal or SolveStatus.Feasible && Values.Length > 0;
}
