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
        var common = new CommonOptions();
        var cmd = new Command("perf", "Time IBP and CROWN bound passes on one instance (median after warm-up) and report peak memory.")
        {
            model, spec, repeat, threads,
        };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(threads) is { } t) torch.set_num_threads(t);
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
            foreach (var method in new[] { BoundMethod.Ibp, BoundMethod.Crown })
            {
                MethodBounds last = null!;
                for (int w = 0; w < 3; w++) last = Verifier.Bound(graph, batch, method, options);
                var times = new double[n];
                for (int i = 0; i < n; i++)
                {
                    var sw = Stopwatch.StartNew();
                    last = Verifier.Bound(graph, batch, method, options);
                    times[i] = sw.Elapsed.TotalMilliseconds;
                }
                Array.Sort(times);
                table.AddRow(method.ToString().ToUpperInvariant(), times[n / 2].ToString("F2", inv), times[0].ToString("F2", inv),
                    times[^1].ToString("F2", inv), ConsoleReport.F(last.DisjunctLower.SelectMany(c => c).Min()), last.Proved ? "yes" : "no");
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"threads: {torch.get_num_threads()}, peak resident memory: {PeakRss.MiB():F0} MiB");
            return 0;
        });
        return cmd;
    }
}
