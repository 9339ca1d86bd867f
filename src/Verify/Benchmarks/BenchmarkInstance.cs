namespace Verify.Benchmarks;

/// <summary>One VNN-COMP instance: a network, a property and its time limit.</summary>
/// <param name="Benchmark">Benchmark name (the instance file's folder name).</param>
/// <param name="Onnx">Full path of the network.</param>
/// <param name="Vnnlib">Full path of the property.</param>
/// <param name="TimeoutSeconds">The instance's time limit.</param>
public sealed record BenchmarkInstance(string Benchmark, string Onnx, string Vnnlib, double TimeoutSeconds)
{
    /// <summary>Key matching the expected-verdicts file: (benchmark, onnx file name, vnnlib file name).</summary>
    public (string, string, string) Key => (Benchmark, Path.GetFileName(Onnx), Path.GetFileName(Vnnlib));
}
