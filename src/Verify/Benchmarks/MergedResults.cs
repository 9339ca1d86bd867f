namespace Verify.Benchmarks;

/// <summary>What merging shard result files gave: one row per instance and the problems found.</summary>
/// <param name="Rows">One row per instance: in instance-list order when a list was given, else by key.</param>
/// <param name="Duplicates">Instances found more than once (the kept row is the first decided one, else the first).</param>
/// <param name="Missing">Instances of the list found in no file.</param>
/// <param name="Unlisted">Instances found in the files but not in the list (left out of <paramref name="Rows"/>).</param>
/// <param name="Conflicts">Instances decided sat in one file and unsat in another.</param>
/// <param name="PeakRssMiB">Largest peak resident memory over all rows (NaN when no file records it).</param>
public sealed record MergedResults(
    IReadOnlyList<ResultRow> Rows,
    IReadOnlyList<(string Benchmark, string Onnx, string Vnnlib)> Duplicates,
    IReadOnlyList<(string Benchmark, string Onnx, string Vnnlib)> Missing,
    IReadOnlyList<(string Benchmark, string Onnx, string Vnnlib)> Unlisted,
    IReadOnlyList<ResultConflict> Conflicts,
    double PeakRssMiB)
{
    /// <summary>True when every listed instance is there exactly once in agreement (duplicates with one verdict are allowed).</summary>
    public bool Complete => Missing.Count == 0 && Unlisted.Count == 0 && Conflicts.Count == 0;

    /// <summary>The rows as outcomes, with time limits from <paramref name="instances"/> and verdicts from <paramref name="expected"/>.</summary>
    public IReadOnlyList<InstanceOutcome> Outcomes(IReadOnlyList<BenchmarkInstance>? instances, ExpectedVerdicts? expected)
    {
        var limits = new Dictionary<(string, string, string), double>();
        foreach (var i in instances ?? []) limits.TryAdd(i.Key, i.TimeoutSeconds);
        return Rows.Select(r =>
        {
            var inst = new BenchmarkInstance(r.Benchmark, r.Onnx, r.Vnnlib, limits.GetValueOrDefault(r.Key, double.NaN));
            return new InstanceOutcome(inst, r.Result, r.Seconds, expected?.Of(inst), $"from {Path.GetFileName(r.File)}", r.PeakRssMiB);
        }).ToArray();
    }
}
