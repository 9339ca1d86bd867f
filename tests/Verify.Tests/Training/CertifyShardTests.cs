using System.Text.Json;
using Verify.Tests.Support;

namespace Verify.Tests.Training;

/// <summary>`verify certify` in shards (Kubernetes variables) merges into exactly the single run's per-image answers and counts.</summary>
public class CertifyShardTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-certify-shards-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void ShardedCertifyMergesIntoTheSingleRun()
    {
        var mnist = Paths.SharedOrIgnore("data", "mnist");
        string[] Args(string perImage, string json) => ["certify", Paths.Example("mnist_mlp.onnx"), "--data-dir", mnist, "--eps", "0.01",
            "--count", "250", "--batch-size", "100", "--pgd-steps", "50", "--per-image", perImage, "--json", json];
        var single = Path.Combine(dir, "single.csv");
        var one = CliRunner.Run(Args(single, Path.Combine(dir, "single.json")));
        Assert.That(one.ExitCode, Is.EqualTo(0), one.Stderr + one.Stdout);

        var shards = Directory.CreateDirectory(Path.Combine(dir, "shards")).FullName;
        for (int i = 0; i < 2; i++)
        {
            var env = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = $"{i}", ["VERIFY_SHARD_COUNT"] = "2" };
            var r = CliRunner.Run(env, Args(Path.Combine(shards, $"s{i}.csv"), Path.Combine(dir, $"s{i}.json")));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr + r.Stdout);
            Assert.That(r.Stdout, Does.Contain($"shard {i}/2"));
        }
        // 250 images in batches of 100: three batches, shard 0 gets the first one, shard 1 the other two.
        using (var s0 = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "s0.json"))))
            Assert.That(s0.RootElement.GetProperty("count").GetInt64(), Is.EqualTo(100));
        var merged = Path.Combine(dir, "merged.csv");
        var m = CliRunner.Run("merge", shards, "--count", "250", "--out", merged);
        Assert.That(m.ExitCode, Is.EqualTo(0), m.Stderr + m.Stdout);
        Assert.That(File.ReadAllLines(merged), Is.EqualTo(File.ReadAllLines(single)), "the same answer for every image");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "single.json")));
        var certified = doc.RootElement.GetProperty("certified_accuracy").GetDouble();
        Assert.That(m.Stdout, Does.Contain($"{100 * certified:F2}%"));
    }
}
