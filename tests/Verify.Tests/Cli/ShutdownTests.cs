using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Verify.Tests.Support;

namespace Verify.Tests.Cli;

/// <summary>
/// SIGTERM (VNN-COMP's time-out, like Ctrl-C's SIGINT) stops a running `verify check` or `verify bench` promptly:
/// check still writes its result and report, bench keeps exactly its finished rows, and `bench --resume` finishes the
/// rest.
/// </summary>
public class ShutdownTests
{
    /// <summary>CPU time the child uses before it is signalled: start-up done and the check well under way.</summary>
    static readonly TimeSpan Running = TimeSpan.FromSeconds(8);

    /// <summary>How long the child may take to end after SIGTERM (the aim is 1-2 s; the cores may be shared).</summary>
    static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-shutdown-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void SigtermDuringACheckWritesTimeoutToTheResultAndJsonAndExitsPromptly()
    {
        var (onnx, vnnlib) = HardInstance.Write(dir);
        var result = Path.Combine(dir, "result.txt");
        var json = Path.Combine(dir, "report.json");
        using var child = ChildProcess.Start("check", onnx, vnnlib, "--timeout", "300", "--result", result, "--json", json, "--device", "cpu");
        var started = Stopwatch.StartNew();
        child.WaitUntil(() => child.CpuTime >= Running, Patience, $"{Running.TotalSeconds} s of CPU time");
        child.Terminate();
        var sw = Stopwatch.StartNew();
        Assert.That(child.WaitForExit(Prompt), Is.True, $"verify still ran {Prompt.TotalSeconds} s after SIGTERM");
        TestContext.Out.WriteLine($"ended {sw.Elapsed.TotalSeconds:F2} s after SIGTERM, {started.Elapsed.TotalSeconds:F1} s after start");
        Assert.That(child.ExitCode, Is.EqualTo(143), child.Output);
        Assert.That(File.ReadAllText(result), Is.EqualTo("timeout\n"));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.That(doc.RootElement.GetProperty("result").GetString(), Is.EqualTo("timeout"));
        Assert.That(doc.RootElement.GetProperty("reason").GetString(), Is.EqualTo("stopped by SIGTERM"));
    }

    [Test]
    public void SigtermDuringBenchKeepsTheFinishedRowsAndResumeFinishesTheRest()
    {
        var (onnx, vnnlib) = HardInstance.Write(dir);
        var list = Path.Combine(dir, "instances.csv");
        // Quick (unsat), hard (stopped), quick (sat).
        File.WriteAllText(list, $"{Paths.Example("mnist_mlp.onnx")},{Paths.Example("mnist_mlp_robust.vnnlib")},60\n" +
                                $"{onnx},{vnnlib},300\n" +
                                $"{Paths.Example("mnist_mlp.onnx")},{Paths.Example("mnist_mlp_attackable.vnnlib")},60\n");
        var csv = Path.Combine(dir, "out.csv");
        using (var child = ChildProcess.Start("bench", list, "--out", csv, "--device", "cpu"))
        {
            child.WaitUntil(() => Lines(csv).Length == 2, Patience, "the first row");
            var second = child.CpuTime;
            child.WaitUntil(() => child.CpuTime >= second + Running, Patience, "the second instance's start");
            child.Terminate();
            Assert.That(child.WaitForExit(Prompt), Is.True, $"verify bench still ran {Prompt.TotalSeconds} s after SIGTERM");
            Assert.That(child.ExitCode, Is.EqualTo(143), child.Output);
            Assert.That(child.Output, Does.Contain("stopped by SIGTERM"));
        }
        var text = File.ReadAllText(csv);
        Assert.That(text, Does.EndWith("\n"), "the last line is incomplete");
        var rows = Lines(csv);
        Assert.That(rows, Has.Length.EqualTo(2), text);
        Assert.That(rows[0], Is.EqualTo("benchmark,onnx,vnnlib,result,time_s,peak_rss_mib"));
        Assert.That(Fields(rows[1])[1..4], Is.EqualTo(new[] { "mnist_mlp.onnx", "mnist_mlp_robust.vnnlib", "unsat" }));

        var resumed = CliRunner.Run("bench", list, "--out", csv, "--resume", "--timeout-cap", "3", "--device", "cpu");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Stderr);
        var all = Lines(csv);
        Assert.That(all, Has.Length.EqualTo(4), File.ReadAllText(csv));
        Assert.That(all[1], Is.EqualTo(rows[1]), "the earlier row was rewritten");
        Assert.That(all.Skip(2).Select(r => (Fields(r)[2], Fields(r)[3])),
            Is.EqualTo(new[] { ("hard.vnnlib", "timeout"), ("mnist_mlp_attackable.vnnlib", "sat") }));
        Assert.That(Regex.IsMatch(resumed.Stdout, @"instances\W+3\b"), Is.True, resumed.Stdout);
        Assert.That(resumed.Stdout, Does.Contain("2 (1 sat, 1 unsat)"));
    }

    static string[] Lines(string path) =>
        File.Exists(path) ? File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();

    static string[] Fields(string row)
    {
        var f = row.Split(',');
        Assert.That(f, Has.Length.EqualTo(6), $"not a complete row: '{row}'");
        return f;
    }
}
