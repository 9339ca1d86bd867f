using System.Globalization;

namespace Verify.Benchmarks;

/// <summary>One line of a bench CSV (benchmark,onnx,vnnlib,result,time_s), as read back by a resumed run.</summary>
/// <param name="Benchmark">Benchmark name.</param>
/// <param name="Onnx">File name of the network.</param>
/// <param name="Vnnlib">File name of the property.</param>
/// <param name="Result">The VNN-COMP result word.</param>
/// <param name="Seconds">Wall-clock time of the check.</param>
public sealed record BenchRow(string Benchmark, string Onnx, string Vnnlib, string Result, double Seconds)
{
    /// <summary>The instance key (benchmark, onnx file name, vnnlib file name), as <see cref="BenchmarkInstance.Key"/>.</summary>
    public (string, string, string) Key => (Benchmark, Onnx, Vnnlib);

    /// <summary>Parses a line; null when it is not five fields with a number last.</summary>
    public static BenchRow? Parse(string line)
    {
        var f = line.Split(',');
        if (f.Length != 5 || !double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return null;
        return new BenchRow(f[0], f[1], f[2], f[3], seconds);
    }

    /// <summary>
    /// The outcome this row records, for the summary: <paramref name="instance"/> when the list names it (else one
    /// built from the row's names), the expected verdict from <paramref name="truth"/>.
    /// </summary>
    public InstanceOutcome ToOutcome(BenchmarkInstance? instance, ExpectedVerdicts? truth)
    {
        var inst = instance ?? new BenchmarkInstance(Benchmark, Onnx, Vnnlib, 0);
        return new InstanceOutcome(inst, Result, Seconds, truth?.Of(inst), "from an earlier run (--resume)");
    }
}
