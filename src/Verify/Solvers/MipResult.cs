using Verify.SolverHost;

namespace Verify.Solvers;

/// <summary>Outcome of an exact (MIP) minimisation over a network.</summary>
/// <param name="Value">Objective of the best point found (an upper bound of the minimum).</param>
/// <param name="BestBound">The solver's proven lower bound of the minimum.</param>
/// <param name="Optimal">True when the solver proved <paramref name="Value"/> optimal.</param>
/// <param name="Input">The best input found (flattened), or null.</param>
public sealed record MipResult(double Value, double BestBound, bool Optimal, double[]? Input)
{
    /// <summary>The result of a solve, with the input read from <paramref name="inputColumns"/>; no point: +∞ and −∞.</summary>
    internal static MipResult From(SolveReply reply, int[] inputColumns)
    {
        if (!reply.HasPoint) return new MipResult(double.PositiveInfinity, double.NegativeInfinity, false, null);
        var x = inputColumns.Select(c => reply.Values[c]).ToArray();
        return new MipResult(reply.Objective, Math.Min(reply.BestBound, reply.Objective), reply.Status == SolveStatus.Optimal, x);
    }
}
