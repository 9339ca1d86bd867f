using Verify.Benchmarks;

namespace Verify.Tests.Benchmarks;

/// <summary>Shard result rows merge into one run's rows; duplicates, gaps and sat/unsat conflicts are found.</summary>
public class ResultMergerTests
{
    static ResultRow Row(string vnnlib, string result, double seconds, string file, double peak = double.NaN) =>
        new("b", "n.onnx", vnnlib, result, seconds, peak, file);

    static readonly IReadOnlyList<BenchmarkInstance> List =
        new[] { "p1", "p2", "p3", "p4" }.Select(p => new BenchmarkInstance("b", "/x/n.onnx", $"/x/{p}.vnnlib", 60)).ToArray();

    [Test]
    public void DisjointShardsGiveTheListInOrder()
    {
        var merged = ResultMerger.Merge([Row("p3.vnnlib", "sat", 1, "s1", 300), Row("p1.vnnlib", "unsat", 2, "s0", 200),
            Row("p4.vnnlib", "timeout", 60, "s1", 500), Row("p2.vnnlib", "unsat", 3, "s0", 250)], List);
        Assert.That(merged.Rows.Select(r => r.Vnnlib), Is.EqualTo(new[] { "p1.vnnlib", "p2.vnnlib", "p3.vnnlib", "p4.vnnlib" }));
        Assert.That(merged.Complete, Is.True);
        Assert.That(merged.Duplicates, Is.Empty);
        Assert.That(merged.PeakRssMiB, Is.EqualTo(500));
    }

    [Test]
    public void TheSummaryOfTheMergeIsThatOfTheRows()
    {
        var expected = new Dictionary<string, string> { ["p1"] = "unsat", ["p2"] = "sat", ["p3"] = "sat", ["p4"] = "unsat" };
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "benchmark,onnx,vnnlib,verdict\n" + string.Concat(expected.Select(e => $"b,n.onnx,{e.Key}.vnnlib,{e.Value}\n")));
        try
        {
            var merged = ResultMerger.Merge([Row("p1.vnnlib", "unsat", 2, "s0"), Row("p2.vnnlib", "unsat", 4, "s0"),
                Row("p3.vnnlib", "sat", 1, "s1"), Row("p4.vnnlib", "timeout", 60, "s1")], List);
            var s = BenchmarkSummary.Of(merged.Outcomes(List, ExpectedVerdicts.Load(path)));
            // By hand: 3 decided (1 sat, 2 unsat), p2 wrong, times 1, 2, 4, 60.
            Assert.That((s.Instances, s.Decided, s.Sat, s.Unsat, s.Timeout, s.Wrong), Is.EqualTo((4, 3, 1, 2, 1, 1)));
            Assert.That((s.TotalSeconds, s.MedianSeconds, s.MaxSeconds), Is.EqualTo((67.0, 3.0, 60.0)));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void AgreeingDuplicatesAreReportedAndTheDecidedRowKept()
    {
        var merged = ResultMerger.Merge([Row("p1.vnnlib", "timeout", 60, "s0"), Row("p1.vnnlib", "unsat", 5, "s1"),
            Row("p2.vnnlib", "sat", 1, "s0"), Row("p3.vnnlib", "sat", 1, "s0"), Row("p4.vnnlib", "sat", 1, "s0")], List);
        Assert.That(merged.Duplicates, Is.EqualTo(new[] { ("b", "n.onnx", "p1.vnnlib") }));
        Assert.That(merged.Conflicts, Is.Empty);
        Assert.That(merged.Rows[0].Result, Is.EqualTo("unsat"));
        Assert.That(merged.Complete, Is.True);
    }

    [Test]
    public void SatInOneShardAndUnsatInAnotherIsAConflict()
    {
        var merged = ResultMerger.Merge([Row("p1.vnnlib", "sat", 1, "s0"), Row("p1.vnnlib", "unsat", 1, "s1")]);
        Assert.That(merged.Conflicts, Has.Count.EqualTo(1));
        Assert.That((merged.Conflicts[0].SatFile, merged.Conflicts[0].UnsatFile), Is.EqualTo(("s0", "s1")));
        Assert.That(merged.Complete, Is.False);
    }

    [Test]
    public void MissingAndUnlistedInstancesAreFound()
    {
        var merged = ResultMerger.Merge([Row("p1.vnnlib", "sat", 1, "s0"), Row("p9.vnnlib", "sat", 1, "s0")], List);
        Assert.That(merged.Missing.Select(k => k.Vnnlib), Is.EqualTo(new[] { "p2.vnnlib", "p3.vnnlib", "p4.vnnlib" }));
        Assert.That(merged.Unlisted.Select(k => k.Vnnlib), Is.EqualTo(new[] { "p9.vnnlib" }));
        Assert.That(merged.Rows.Select(r => r.Vnnlib), Is.EqualTo(new[] { "p1.vnnlib" }));
        Assert.That(merged.Complete, Is.False);
    }

    [Test]
    public void TheBenchCsvReadsBack()
    {
        var path = Path.GetTempFileName();
        try
        {
            var outcomes = new[]
            {
                new InstanceOutcome(List[0], "unsat", 1.23456, null, "", 812.4),
                new InstanceOutcome(List[1], "timeout", 60, null, ""),
            };
            File.WriteAllText(path, BenchmarkSummary.Csv(outcomes));
            var rows = ResultCsv.Load(path);
            Assert.That(rows.Select(r => (r.Benchmark, r.Onnx, r.Vnnlib, r.Result, r.Seconds)),
                Is.EqualTo(new[] { ("b", "n.onnx", "p1.vnnlib", "unsat", 1.235), ("b", "n.onnx", "p2.vnnlib", "timeout", 60.0) }));
            Assert.That(rows[0].PeakRssMiB, Is.EqualTo(812));
            Assert.That(rows[1].PeakRssMiB, Is.NaN);
            File.WriteAllText(path, "benchmark,onnx,vnnlib,result,time_s\nb,n.onnx,p1.vnnlib,sat,2.5\n");
            Assert.That(ResultCsv.Load(path).Single().PeakRssMiB, Is.NaN, "files from before the peak column still read");
        }
        finally { File.Delete(path); }
    }
}
