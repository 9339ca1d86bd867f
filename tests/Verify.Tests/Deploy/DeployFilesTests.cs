using System.Diagnostics;
using System.Text.RegularExpressions;
using Verify.Benchmarks;
using Verify.Tests.Support;

namespace Verify.Tests.Deploy;

/// <summary>
/// The job files under deploy/ do what they say, as far as this machine can tell without Slurm, a cluster or a
/// Docker engine: the Slurm script runs as local array tasks, the Kubernetes Job's commands run as local pods, the
/// Dockerfile copies only what exists and is not ignored.
/// </summary>
public class DeployFilesTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-deploy-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static string Verify => $"dotnet {Path.Combine(AppContext.BaseDirectory, "Verify.Cli.dll")}";

    static (int Code, string Output) Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Paths.Repo };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var v in new[] { "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX", "VERIFY_SHARD_COUNT" })
            psi.Environment.Remove(v);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { Assert.Ignore($"{file} is not available"); throw; }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(300_000)) { p.Kill(true); Assert.Fail($"{file} did not finish within 300 s"); }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
    }

    static string Decided(string summary) => Regex.Match(summary, @"decided\s*│\s*([^│]*?)\s*│").Groups[1].Value;

    [Test]
    public void TheSlurmArrayRunsAsLocalTasksAndItsLastTaskMerges()
    {
        var shared = Paths.SharedOrIgnore("benchmarks", "vnncomp2021", "test");
        var results = Path.Combine(dir, "results");
        var tasks = Enumerable.Range(0, 2).Select(i => Task.Run(() => Run("bash", [Path.Combine(Paths.Repo, "deploy", "slurm", "bench.sbatch")],
            new Dictionary<string, string>
            {
                ["SLURM_ARRAY_JOB_ID"] = "1", ["SLURM_ARRAY_TASK_ID"] = $"{i}", ["SLURM_ARRAY_TASK_MIN"] = "0", ["SLURM_ARRAY_TASK_COUNT"] = "2",
                ["BENCH"] = "test", ["SHARED"] = Path.GetFullPath(Path.Combine(shared, "..", "..", "..")), ["RESULTS"] = results,
                ["REPO"] = Paths.Repo, ["VERIFY"] = Verify,
            }))).ToArray();
        Task.WaitAll(tasks);
        foreach (var t in tasks) Assert.That(t.Result.Code, Is.EqualTo(0), t.Result.Output);
        var summary = File.ReadAllText(Path.Combine(results, "summary.txt"));
        Assert.That(Decided(summary), Is.EqualTo("5 (1 sat, 4 unsat)"), summary);
        Assert.That(summary, Does.Not.Contain("merge exit code"));
        Assert.That(ResultCsv.Load(Path.Combine(results, "merged.csv")).Select(r => r.Vnnlib + r.Onnx).Distinct().Count(), Is.EqualTo(5));
    }

    [Test]
    public void TheKubernetesJobChecksAndItsPodsRunLocally()
    {
        var shared = Paths.SharedOrIgnore("benchmarks", "vnncomp2021", "test");
        var data = Path.GetFullPath(Path.Combine(shared, "..", "..", ".."));
        var yaml = Path.Combine(Paths.Repo, "deploy", "k8s", "bench-job.yaml");
        var check = Path.Combine(Paths.Repo, "deploy", "k8s", "check.py");
        var probe = Run("python3", ["-c", "import yaml"], new Dictionary<string, string>());
        if (probe.Code != 0) Assert.Ignore("python3 with PyYAML is not available");
        var plain = Run("python3", [check, yaml], new Dictionary<string, string>());
        Assert.That(plain.Code, Is.EqualTo(0), plain.Output);
        var results = Directory.CreateDirectory(Path.Combine(dir, "results")).FullName;
        var run = Run("python3", [check, yaml, "--run", Verify, "--data", data, "--results", results, "--set", "BENCH=test"], new Dictionary<string, string>());
        Assert.That(run.Code, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("shard 7/8 (from JOB_COMPLETION_INDEX/VERIFY_SHARD_COUNT)"));
        Assert.That(Decided(run.Output), Is.EqualTo("5 (1 sat, 4 unsat)"), run.Output);
        Assert.That(Directory.GetFiles(Path.Combine(results, "test"), "shard-*.csv"), Has.Length.EqualTo(8));
    }

    [Test]
    public void TheDockerfileCopiesOnlyWhatExistsAndIsNotIgnored()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Paths.Repo, "Dockerfile"));
        var ignore = File.ReadAllLines(Path.Combine(Paths.Repo, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.That(dockerfile.Count(l => Regex.IsMatch(l, @"^FROM\s+\S+\s+AS\s+\w+", RegexOptions.IgnoreCase)), Is.EqualTo(2), "a build and a runtime stage");
        Assert.That(dockerfile, Has.Some.Match(@"^COPY --from=build "));
        Assert.That(dockerfile, Has.Some.Match(@"^ENTRYPOINT \[""dotnet"", ""/app/Verify.Cli.dll""\]"));
        var sources = dockerfile.Where(l => l.StartsWith("COPY ") && !l.StartsWith("COPY --from"))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).ToArray();
        Assert.That(sources, Is.Not.Empty);
        foreach (var s in sources)
        {
            var path = Path.Combine(Paths.Repo, s);
            Assert.That(File.Exists(path) || Directory.Exists(path), Is.True, $"COPY {s}: not in the repository");
            Assert.That(ignore.Any(p => Ignores(p, s.TrimEnd('/'))), Is.False, $"COPY {s}: excluded by .dockerignore");
        }
        foreach (var needed in new[] { "src/Verify/Import/onnx.proto", "build/PatchGlibcxxRequirement.cs" })
            Assert.That(ignore.Any(p => Ignores(p, needed)), Is.False, $"{needed} is needed by the build");
    }

    /// <summary>Whether a .dockerignore pattern (the subset used here: **/, leading /, *, trailing /) matches a path.</summary>
    static bool Ignores(string pattern, string path)
    {
        var p = pattern.TrimStart('/').TrimEnd('/');
        var regex = "^" + Regex.Escape(p).Replace(@"\*\*/", "(.*/)?").Replace(@"\*", "[^/]*") + "(/.*)?$";
        return Regex.IsMatch(path, regex);
    }
}
