using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Verify.Cli.Studies.ConvNets;

/// <summary>One method's bound pass on one property, measured in its own process.</summary>
/// <param name="Method">ibp, crown or alpha-crown.</param>
/// <param name="MedianMs">Median wall-clock milliseconds of the timed runs.</param>
/// <param name="Runs">Timed runs (after the warm-up ones).</param>
/// <param name="MinMargin">Smallest lower bound of a disjunct's margin (&gt; 0 for all: proved).</param>
/// <param name="Proved">Whether the method alone proves the property.</param>
/// <param name="RssBeforeMiB">Resident memory after import, before the first pass.</param>
/// <param name="PeakRssMiB">Peak resident memory of the process.</param>
public sealed record BoundPassFigure(string Method, double MedianMs, int Runs, double MinMargin, bool Proved, double RssBeforeMiB, double PeakRssMiB);

/// <summary>
/// Runs `verify perf MODEL SPEC --methods M` once per method, each in its own process, so that the peak resident
/// memory (VmHWM) is the method's own (plus the process's baseline, reported beside it).
/// </summary>
public static class BoundPassFigures
{
    /// <summary>Warm-up and timed runs per method: IBP and CROWN 1 + 3, alpha-CROWN 0 + 1 (a single optimisation).</summary>
    public static (int Warmup, int Repeat) Runs(string method) => method == "alpha-crown" ? (0, 1) : (1, 3);

    /// <summary>Measures <paramref name="method"/> on the property; throws when the child process fails.</summary>
    public static BoundPassFigure Measure(string onnx, string vnnlib, string method, TimeSpan limit)
    {
        var (warmup, repeat) = Runs(method);
        string json = Path.Combine(Path.GetTempPath(), $"conv-study-perf-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            var psi = SelfInvocation();
            foreach (var a in new[] { "perf", onnx, vnnlib, "--methods", method, "--warmup", warmup.ToString(CultureInfo.InvariantCulture),
                         "--repeat", repeat.ToString(CultureInfo.InvariantCulture), "--device", "cpu", "--json", json })
                psi.ArgumentList.Add(a);
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.Environment["NO_COLOR"] = "1";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(limit))
            {
                p.Kill(true);
                throw new TimeoutException($"{method} on {Path.GetFileName(onnx)} took more than {limit.TotalSeconds:F0} s");
            }
            if (p.ExitCode != 0 || !File.Exists(json))
                throw new InvalidOperationException($"perf {method} on {Path.GetFileName(onnx)} failed (exit {p.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}");
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var root = doc.RootElement;
            var m = root.GetProperty("methods")[0];
            var margin = m.GetProperty("min_margin");
            return new BoundPassFigure(method, m.GetProperty("median_ms").GetDouble(), repeat,
                margin.ValueKind == JsonValueKind.Number ? margin.GetDouble() : double.NaN, m.GetProperty("proved").GetBoolean(),
                root.GetProperty("rss_before_mib").GetDouble(), root.GetProperty("peak_rss_mib").GetDouble());
        }
        finally
        {
            if (File.Exists(json)) File.Delete(json);
        }
    }

    /// <summary>A process start of this same program (the apphost, or `dotnet Verify.Cli.dll`).</summary>
    static ProcessStartInfo SelfInvocation()
    {
        string dll = typeof(BoundPassFigures).Assembly.Location;
        string? host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host).Equals(Path.GetFileNameWithoutExtension(dll), StringComparison.OrdinalIgnoreCase))
            return new ProcessStartInfo(host);
        var psi = new ProcessStartInfo("dotnet");
        psi.ArgumentList.Add(dll);
        return psi;
    }
}
