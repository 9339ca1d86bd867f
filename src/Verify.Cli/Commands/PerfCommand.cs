using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Verify.Bounds;
using Verify.Verification;
using TorchSharp;

namespace Verify.Cli.Commands;

/// <summary>`verify perf MODEL SPEC`: median time of each bound method after warm-up, and peak memory.</summary>
public static class PerfCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "ONNX network" };
        var spec = new Argument<string>("spec") { Description = "VNNLIB property" };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs per method (after 3 warm-up runs)", DefaultValueFactory = _ => 30 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads of the tensor library (default: its own choice)" };
        var methods = new Option<string>("--methods") { Description = "Comma-separated bound methods: ibp, crown, alpha-crown", DefaultValueFactory = _ => "ibp,crown" };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs per method before the timed ones", DefaultValueFactory = _ => 3 };
        var json = new Option<string?>("--json") { Description = "Write the figures as JSON (method, median_ms, min_ms, max_ms, min_margin, proved, rss_before_mib, peak_rss_mib)" };
        var common = new CommonOptions();
        var cmd = new Command("perf", "Time IBP and CROWN bound passes on one instance (median after warm-up) and report peak memory.")
        {
            model, spec, repeat, threads, methods, warmup, json,
        };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(threads) is { } t) torch.set_num_threads(t);
            var chosen = ParseMethods(parse.GetValue(methods)!);
            int warm = parse.GetValue(warmup);
            if (warm < 0) throw new VerifyException("--warmup must not be negative");
            var graph0 = Inputs.Model(parse.GetValue(model)!);
            var property = Inputs.Property(parse.GetValue(spec)!, graph0);
            var device = common.DeviceOf(parse);
            var dtype = common.DTypeOf(parse);
            int n = Math.Max(1, parse.GetValue(repeat));
            using var scope = torch.NewDisposeScope();
            var graph = graph0.To(device, dtype);
            var batch = SpecBatch.From(property, device, dtype);
            var options = VerifierOptions.Default with { Device = device, DType = dtype };
            var table = new Table().Border(TableBorder.Rounded).Title("bound pass timing");
            table.AddColumns("method", "median ms", "min ms", "max ms", "min margin bound", "proved");
            var inv = CultureInfo.InvariantCulture;
            double rssBefore = PeakRss.CurrentMiB();
            var rows = new List<string>();
            foreach (var method in chosen)
            {
                MethodBounds last = null!;
                for (int w = 0; w < warm; w++) last = Verifier.Bound(graph, batch, method, options);
                var times = new double[n];
                for (int i = 0; i < n; i++)
                {
                    var sw = Stopwatch.StartNew();
                    last = Verifier.Bound(graph, batch, method, options);
                    times[i] = sw.Elapsed.TotalMilliseconds;
                }
                Array.Sort(times);
                double minMargin = last.DisjunctLower.SelectMany(c => c).Min();
                table.AddRow(Verifier.Name(method).ToUpperInvariant(), times[n / 2].ToString("F2", inv), times[0].ToString("F2", inv),
                    times[^1].ToString("F2", inv), ConsoleReport.F(minMargin), last.Proved ? "yes" : "no");
                rows.Add(string.Format(inv, "{{\"method\": \"{0}\", \"median_ms\": {1:R}, \"min_ms\": {2:R}, \"max_ms\": {3:R}, \"min_margin\": {4}, \"proved\": {5}}}",
                    Verifier.Name(method), times[n / 2], times[0], times[^1], double.IsFinite(minMargin) ? minMargin.ToString("R", inv) : "null", last.Proved ? "true" : "false"));
            }
            AnsiConsole.Write(table);
            double peak = PeakRss.MiB();
            AnsiConsole.MarkupLine($"threads: {torch.get_num_threads()}, resident memory before the passes: {rssBefore:F0} MiB, peak resident memory: {peak:F0} MiB");
            if (parse.GetValue(json) is { } jsonPath)
                File.WriteAllText(jsonPath, string.Format(inv, "{{\"rss_before_mib\": {0:F1}, \"peak_rss_mib\": {1:F1}, \"threads\": {2}, \"methods\": [{3}]}}\n",
                    rssBefore, peak, torch.get_num_threads(), string.Join(", ", rows)));
            return 0;
        });
        return cmd;
    }

    /// <summary>The methods of a --methods value; a user error for an unknown name.</summary>
    public static BoundMethod[] ParseMethods(string value)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new VerifyException("--methods: give at least one of ibp, crown, alpha-crown");
        return names.Select(n => n.ToLowerInvariant() switch
        {
            "ibp" => BoundMethod.Ibp,
            "crown" => BoundMethod.Crown,
            "alpha-crown" or "alpha" => BoundMethod.AlphaCrown,
            _ => throw new VerifyException($"--methods: unknown method '{n}' (ibp, crown, alpha-crown)"),
        }).ToArray();
    }
}
