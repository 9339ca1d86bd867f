namespace Verify.Benchmarks;

/// <summary>What one benchmark instance gave.</summary>
/// <param name="Instance">The instance.</param>
/// <param name="Result">The VNN-COMP result word: sat, unsat, unknown, timeout or error.</param>
/// <param name="Seconds">Wall-clock time of the check (loading included).</param>
/// <param name="Expected">The expected verdict, or null.</param>
/// <param name="Detail">How it was decided or why not (method, reason).</param>
/// <param name="PeakRssMiB">The process's peak resident memory after the instance (NaN: not measured).</param>
public sealed record InstanceOutcome(BenchmarkInstance Instance, string Result, double Seconds, string? Expected, string Detail,
    double PeakRssMiB = double.NaN)
{
    /// <summary>True when the result contradicts the expected verdict.</summary>
    public bool Wrong => ExpectedVerdicts.IsWrong(Result, Expected);

    /// <summary>True when the instance was decided (sat or unsat).</summary>
    public bool Decided => Result is "sat" or "unsat";
}
