namespace Verify.Benchmarks;

/// <summary>One line of a bench result CSV, as read back.</summary>
/// <param name="Benchmark">Benchmark name.</param>
/// <param name="Onnx">Network file name.</param>
/// <param name="Vnnlib">Property file name.</param>
/// <param name="Result">sat, unsat, unknown, timeout or error.</param>
/// <param name="Seconds">Time of the instance.</param>
/// <param name="PeakRssMiB">The writing process's peak resident memory after this instance, or NaN when the file has no such column.</param>
/// <param name="File">The file the line came from.</param>
public sealed record ResultRow(string Benchmark, string Onnx, string Vnnlib, string Result, double Seconds, double PeakRssMiB, string File)
{
    /// <summary>The instance key (benchmark, onnx, vnnlib), as in <see cref="BenchmarkInstance.Key"/>.</summary>
    public (string, string, string) Key => (Benchmark, Onnx, Vnnlib);

    /// <summary>True when the row is decided (sat or unsat).</summary>
    public bool Decided => Result is "sat" or "unsat";

    /// <summary>The row as the outcome of <paramref name="instance"/> (from the list; a stand-in when the list lacks it), judged against <paramref name="truth"/>.</summary>
    public InstanceOutcome ToOutcome(BenchmarkInstance? instance, ExpectedVerdicts? truth)
    {
        var inst = instance ?? new BenchmarkInstance(Benchmark, Onnx, Vnnlib, 0);
        return new InstanceOutcome(inst, Result, Seconds, truth?.Of(inst), "from an earlier run (--resume)") { PeakRssMiB = PeakRssMiB };
    }
}
