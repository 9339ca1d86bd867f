using System.Text.RegularExpressions;
using Verify.Benchmarks;
using Verify.Tests.Support;

namespace Verify.Tests.Cli;

/// <summary>
/// The VNN-COMP `test` set run as N shard processes of the real CLI, with the variables Slurm and Kubernetes set, then
/// merged: the same instances, verdicts and counts as one process.
/// </summary>
public class ShardedBenchTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-shards-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    /// <summary>The single-process run both scheduler cases compare with (run once: it does not depend on the case).</summary>
    static (string Csv, CliRunner.Outcome Run)? single;
    static string? singleDir;

    [OneTimeTearDown]
    public void RemoveSingle()
    {
        if (singleDir is not null) Directory.Delete(singleDir, true);
        (single, singleDir) = (null, null);
    }

    static (string Csv, CliRunner.Outcome Run) Single(string list, string expected)
    {
        if (single is { } done) return done;
        singleDir = Directory.CreateTempSubdirectory("verify-shards-single-").FullName;
        var csv = Path.Combine(singleDir, "single.csv");
        single = (csv, CliRunner.Run("bench", list, "--expected", expected, "--out", csv));
        return single.Value;
    }

    static string Line(string stdout, string label) =>
        Regex.Match(stdout, $@"{Regex.Escape(label)}\s*│\s*([^│]*?)\s*│").Groups[1].Value;

    [TestCase("slurm", 3)]
    [TestCase("kubernetes", 2)]
    public void MergedShardsEqualTheSingleRun(string scheduler, int shards)
    {
        var folder = Paths.SharedOrIgnore("benchmarks", "vnncomp2021", "test");
        var list = Path.Combine(folder, "test_instances.csv");
        var expected = Path.Combine(folder, "..", "expected_2021.csv");
        var (singleCsv, one) = Single(list, expected);
        Assert.That(one.ExitCode, Is.EqualTo(0), one.Stderr + one.Stdout);

        var outDir = Directory.CreateDirectory(Path.Combine(dir, "shards")).FullName;
        var runs = Enumerable.Range(0, shards).Select(i => Task.Run(() =>
        {
            var env = scheduler == "slurm"
                ? new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = $"{i}", ["SLURM_ARRAY_TASK_COUNT"] = $"{shards}", ["SLURM_ARRAY_TASK_MIN"] = "0" }
                : new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = $"{i}", ["VERIFY_SHARD_COUNT"] = $"{shards}" };
            return CliRunner.Run(env, "bench", list, "--expected", expected, "--out", Path.Combine(outDir, $"shard-{i}.csv"));
        })).ToArray();
        Task.WaitAll(runs);
        for (int i = 0; i < shards; i++)
        {
            var r = runs[i].Result;
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr + r.Stdout);
            Assert.That(r.Stdout, Does.Contain($"shard {i}/{shards}").And.Contain(scheduler == "slurm" ? "SLURM_ARRAY_TASK_ID" : "JOB_COMPLETION_INDEX"),
                "the report says which shard and from where");
        }

        var mergedCsv = Path.Combine(dir, "merged.csv");
        var merge = CliRunner.Run("merge", outDir, "--instances", list, "--expected", expected, "--out", mergedCsv);
        Assert.That(merge.ExitCode, Is.EqualTo(0), merge.Stderr + merge.Stdout);
        foreach (var label in new[] { "instances", "decided", "timeout / unknown / error", "wrong" })
            Assert.That(Line(merge.Stdout, label), Is.EqualTo(Line(one.Stdout, label)).And.Not.Empty, label);

        var a = ResultCsv.Load(singleCsv);
        var b = ResultCsv.Load(mergedCsv);
        Assert.That(b.Select(r => (r.Key, r.Result)), Is.EqualTo(a.Select(r => (r.Key, r.Result))), "same instances, same order, same verdicts");
        Assert.That(b.All(r => r.PeakRssMiB > 0), Is.True, "every row records its process's peak memory");
    }

    [Test]
    public void BadShardValuesAreOneLineUserErrors()
    {
        foreach (var args in new[] { new[] { "--shard", "4/4" }, new[] { "--shard", "0/0" }, new[] { "--shard", "one/2" } })
        {
            var o = CliRunner.Run(new[] { "bench", "missing.csv" }.Concat(args).ToArray());
            Assert.That(o.ExitCode, Is.EqualTo(2), string.Join(' ', args) + o.Stderr);
            Assert.That(o.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), o.Stderr);
            Assert.That(o.Stderr, Does.Contain("--shard"));
        }
        var env = CliRunner.Run(new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "7", ["SLURM_ARRAY_TASK_COUNT"] = "4" }, "bench", "missing.csv");
        Assert.That(env.ExitCode, Is.EqualTo(2), env.Stderr);
        Assert.That(env.Stderr, Does.Contain("SLURM_ARRAY_TASK_ID"));
    }
}
