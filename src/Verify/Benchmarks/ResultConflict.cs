namespace Verify.Benchmarks;

/// <summary>An instance decided sat in one result file and unsat in another.</summary>
/// <param name="Key">The instance (benchmark, onnx, vnnlib).</param>
/// <param name="SatFile">A file where it is sat.</param>
/// <param name="UnsatFile">A file where it is unsat.</param>
public sealed record ResultConflict((string Benchmark, string Onnx, string Vnnlib) Key, string SatFile, string UnsatFile);
