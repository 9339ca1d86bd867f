using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;
using TorchSharp;
using Verify.Benchmarks;
using Verify.Import;
using Verify.Training.Certification;
using Verify.Training.Convex;
using Verify.Training.Data;

namespace Verify.Cli.Commands;

/// <summary>`verify certify MODEL.onnx --dataset mnist --eps E`: clean, PGD and certified accuracy with the engine's bounds.</summary>
public static class CertifyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var data = new DataOptions();
        var model = new Argument<string>("model") { Description = "ONNX classifier taking [N,1,28,28] or [N,784] images in [0,1]" };
        var eps = new Option<double>("--eps") { Description = "Radius in the --norm (pixels in [0,1])", Required = true };
        var l2 = new L2CertifyOptions();
        var count = new Option<int>("--count") { Description = "First N test images (default: all)", DefaultValueFactory = _ => 10000 };
        var method = new Option<string>("--method") { Description = "ibp, crown, or auto (IBP then CROWN on the rest)", DefaultValueFactory = _ => "auto" };
        method.AcceptOnlyFromAmong("ibp", "crown", "auto");
        var steps = new Option<int>("--pgd-steps") { Description = "PGD steps (at least 50)", DefaultValueFactory = _ => 100 };
        var restarts = new Option<int>("--pgd-restarts") { DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch-size") { Description = "Images per batch", DefaultValueFactory = _ => 200 };
        var precision = new Option<string>("--precision") { Description = "Precision of the bounds", DefaultValueFactory = _ => "float64" };
        precision.AcceptOnlyFromAmong("float32", "float64");
        var json = new Option<string?>("--json") { Description = "Write count, eps and the accuracies (fractions) to FILE" };
        var perImage = new Option<string?>("--per-image") { Description = $"Write one line per test image ({PerImageCsv.Header}) to FILE; `verify merge` combines shards' files" };
        var shardOption = ShardOption.Create("test images (contiguous index ranges of whole batches)");
        var classes = new Option<string?>("--classes") { Description = "Two digits A,B: a binary model (two outputs) on the test images of A (label 0) and B (label 1)" };
        var exact = new Option<double>("--exact") { Description = "Seconds per image of an exact MIP (SCIP) on the PGD-robust images the bounds leave open (two-output models; 0: off)" };
        var cmd = new Command("certify", "Clean, PGD and certified accuracy of an ONNX classifier on a dataset's test images.")
        {
            model, eps, count, method, steps, restarts, batch, precision, json, perImage, shardOption, classes, exact,
        };
        data.AddTo(cmd);
        l2.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var path = parse.GetValue(model)!;
            if (!File.Exists(path)) throw new VerifyException($"model file not found: {path}");
            double e = parse.GetValue(eps);
            bool isL2 = l2.IsL2(parse);
            if (!isL2 && (e < 0 || e > 1)) throw new VerifyException($"--eps must be in [0,1], got {e}");
            if (isL2 && !(e >= 0 && double.IsFinite(e))) throw new VerifyException($"--eps must be a non-negative l2 radius, got {e}");
            l2.Validate(parse);
            if (isL2 && parse.GetValue(perImage) is not null) throw new VerifyException("--per-image is for --norm linf");
            if (parse.GetValue(steps) < 50) throw new VerifyException("--pgd-steps must be at least 50");
            var shard = ShardSource.Resolve(parse.GetValue(shardOption));
            var device = data.DeviceOf(parse);
            var dtype = parse.GetValue(precision) == "float32" ? torch.ScalarType.Float32 : torch.ScalarType.Float64;
            var graph = OnnxImporter.Load(path).To(device, dtype);
            var task = parse.GetValue(classes) is { } cl ? BinaryTask.Parse(cl) : null;
            int outputs = task is null ? 10 : 2;
            if (graph.InputSize != 784 || graph.OutputSize != outputs)
                throw new VerifyException($"{path}: expected 784 inputs and {outputs} outputs for MNIST{(task is null ? "" : $" digits {task}")}, got {graph.InputSize} and {graph.OutputSize}");
            double exactSeconds = parse.GetValue(exact);
            if (exactSeconds < 0 || (exactSeconds > 0 && task is null)) throw new VerifyException("--exact needs --classes (a two-output model) and a non-negative time");
            var tally = new ExactTally();
            var test = MnistData.Load(data.Folder(parse), train: false, device);
            if (task is not null) test = task.Filter(test);
            test = test.Take(Math.Max(1, parse.GetValue(count)));
            long all = test.Count;
            var (first, end) = ShardAssignment.Range(all, Math.Max(1, parse.GetValue(batch)), shard);
            test = new ImageSet(test.Images[(int)first..(int)end], test.Labels[(int)first..(int)end]);
            if (!shard.IsWhole) Console.WriteLine($"{shard}: test images {first}..{end - 1} of 0..{all - 1}");
            if (isL2)
                return CertifyL2.Run(path, OnnxImporter.Load(path), test, e, l2.BoundOptions(parse), parse.GetValue(steps),
                    Math.Max(1, parse.GetValue(restarts)), Math.Max(1, parse.GetValue(batch)), parse.GetValue(l2.Curve), parse.GetValue(json));
            var perImagePath = parse.GetValue(perImage);
            if (perImagePath is not null) OutputFile.Create(perImagePath, PerImageCsv.Header + "\n");
            var m = parse.GetValue(method) switch { "ibp" => CertifyMethod.Ibp, "crown" => CertifyMethod.Crown, _ => CertifyMethod.Auto };
            var options = new CertifyOptions(e, m, parse.GetValue(steps), Math.Max(1, parse.GetValue(restarts)), Math.Max(1, parse.GetValue(batch)));
            var certifier = new EngineCertifier(graph, options, device, dtype);
            var total = CertifyCounts.Zero;
            var watch = Stopwatch.StartNew();
            ProgressReporter.Run("certify", update =>
            {
                long n = test.Count;
                for (long s = 0; s < n; s += options.BatchSize)
                {
                    using var scope = torch.NewDisposeScope();
                    long k = Math.Min(options.BatchSize, n - s);
                    var images = certifier.Images(test.Images.narrow(0, s, k), test.Labels.narrow(0, s, k), first + s);
                    if (exactSeconds > 0) images = ExactCompletion.Run(graph, images, test.Images.narrow(0, s, k), e, exactSeconds, tally);
                    total += images.Counts;
                    if (perImagePath is not null) File.AppendAllText(perImagePath, PerImageCsv.Rows(images));
                    update(s + k, n, $"clean {Pct(total.Clean, total.Count)} PGD {Pct(total.PgdRobust, total.Count)} certified {Pct(total.Certified, total.Count)}");
                }
            });
            double seconds = watch.Elapsed.TotalSeconds;
            var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(Path.GetFileName(path))}[/], eps {e}");
            table.AddColumn("");
            table.AddColumn(new TableColumn("accuracy").RightAligned());
            if (!shard.IsWhole) table.AddRow("shard", Markup.Escape($"{shard.Index}/{shard.Count} (from {shard.Source}): images {first}..{end - 1} of {all}"));
            table.AddRow("test images", total.Count.ToString());
            table.AddRow("clean", Pct(total.Clean, total.Count));
            table.AddRow($"PGD ({options.PgdSteps} steps, {options.PgdRestarts} restarts)", Pct(total.PgdRobust, total.Count));
            table.AddRow($"certified ({parse.GetValue(method)}, engine bounds, {parse.GetValue(precision)})", Pct(total.Certified, total.Count));
            if (exactSeconds > 0)
                table.AddRow("exact MIP on the open PGD-robust images", $"{tally.Certified} certified, {tally.Refuted} refuted, {tally.Open} open ({tally.Seconds:F1} s)");
            table.AddRow("time", $"{seconds:F1} s");
            AnsiConsole.Write(table);
            if (total.Inconsistent > 0)
                AnsiConsole.MarkupLine($"[red bold]{total.Inconsistent} images certified yet attacked: the bounds are unsound[/]");
            if (parse.GetValue(json) is { } jsonPath)
            {
                var report = new Dictionary<string, object>
                {
                    ["model"] = path, ["dataset"] = "mnist", ["count"] = total.Count, ["eps"] = e, ["method"] = parse.GetValue(method)!,
                    ["clean_accuracy"] = Frac(total.Clean, total.Count), ["pgd_accuracy"] = Frac(total.PgdRobust, total.Count),
                    ["certified_accuracy"] = Frac(total.Certified, total.Count), ["pgd_steps"] = options.PgdSteps,
                    ["pgd_restarts"] = options.PgdRestarts, ["inconsistent"] = total.Inconsistent, ["seconds"] = seconds,
                    ["classes"] = task?.ToString() ?? "all", ["exact_certified"] = tally.Certified, ["exact_refuted"] = tally.Refuted, ["exact_open"] = tally.Open,
                    ["first_index"] = first, ["shard_index"] = shard.Index, ["shard_count"] = shard.Count, ["shard_source"] = shard.Source,
                };
                File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            }
            return total.Inconsistent > 0 ? 1 : 0;
        });
        return cmd;
    }

    static double Frac(long k, long n) => n == 0 ? 0 : (double)k / n;

    /// <summary>A count as a percentage of <paramref name="n"/> with two decimals ("-" when n is 0).</summary>
    public static string Pct(long k, long n) => n == 0 ? "-" : $"{100.0 * k / n:F2}%";
}
