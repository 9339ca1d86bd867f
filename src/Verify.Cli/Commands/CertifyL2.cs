using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TorchSharp;
using Verify.Graph;
using Verify.Training.Certification;
using Verify.Training.Data;
using Verify.Training.Export;
using Verify.Training.Lipschitz;
using Verify.Training.Reports;
using static TorchSharp.torch;

namespace Verify.Cli.Commands;

/// <summary>`verify certify --norm l2`: clean, l2-PGD and margin-certified accuracy with a global l2 Lipschitz bound of the file.</summary>
public static class CertifyL2
{
    /// <summary>Runs the l2 certification of <paramref name="graph"/> (imported from <paramref name="path"/>) on <paramref name="test"/>.</summary>
    public static int Run(string path, ComputationGraph graph, ImageSet test, double radius, L2BoundOptions boundOptions, int pgdSteps,
        int restarts, int batch, string? curve, string? json)
    {
        var inv = CultureInfo.InvariantCulture;
        var g64 = graph.To(torch.CPU, ScalarType.Float64);
        var g32 = graph.To(torch.CPU, ScalarType.Float32);
        var watch = Stopwatch.StartNew();
        Console.WriteLine($"bounding the l2 Lipschitz constant of {path} ({boundOptions.Method.ToString().ToLowerInvariant()}" +
            (boundOptions.Claimed is { } c ? string.Format(inv, ", checking the claim {0}", c) : "") + ") ...");
        var metadata = LbdnMetadata.Read(path);
        var bound = L2Lipschitz.Bound(g64, boundOptions, metadata);
        double boundSeconds = watch.Elapsed.TotalSeconds;
        var x = test.Images.to(torch.CPU);
        var set = new ImageSet(x, test.Labels.to(torch.CPU));
        L2Accuracy acc = null!;
        ProgressReporter.Run("certify", update =>
        {
            update(0, 1, "margins and l2-PGD");
            acc = L2Evaluation.Run(SpectralReport.Logits(g64), set, bound.Value, radius, pgdSteps, restarts, batch,
                attackLogits: SpectralReport.Logits(g32, ScalarType.Float32));
            update(1, 1, "done");
        });
        double seconds = watch.Elapsed.TotalSeconds;
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Format(inv, "{0}, l2 radius {1}", Path.GetFileName(path), radius)));
        table.AddColumn("");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("test images", acc.Count.ToString(inv));
        table.AddRow("clean", CertifyCommand.Pct((long)Math.Round(acc.Clean * acc.Count), acc.Count));
        table.AddRow(Markup.Escape($"l2-PGD ({pgdSteps} steps, {restarts} restarts)"), CertifyCommand.Pct((long)Math.Round(acc.Pgd * acc.Count), acc.Count));
        table.AddRow(Markup.Escape("certified (margin > sqrt(2) L r)"), CertifyCommand.Pct((long)Math.Round(acc.Certified * acc.Count), acc.Count));
        table.AddRow("L used", Markup.Escape(string.Format(inv, "{0:G6} ({1})", bound.Value, bound.Source)));
        table.AddRow("product of spectral norms", bound.Naive.ToString("G6", inv));
        if (metadata is not null)
            table.AddRow(Markup.Escape($"LBDN gamma {metadata.Gamma.ToString("G6", inv)}: LMI with the file's multipliers"),
                bound.Lmi is { } l ? l.ToString("G8", inv) + " (certified)" : "not certified");
        table.AddRow("LipSDP-Neuron (solver)", bound.LipSdp is { } s ? string.Format(inv, "{0:G6} in {1:F1} s", s, bound.LipSdpSeconds) : "not run");
        table.AddRow("time", string.Format(inv, "{0:F1} s (bound {1:F1} s)", seconds, boundSeconds));
        AnsiConsole.Write(table);
        if (curve is not null)
            Console.WriteLine($"curve: {RadiusCurve.Save(acc.Radii, radius, string.Format(inv, "{0}: certified l2 accuracy, L = {1:G4}", Path.GetFileName(path), bound.Value), curve)}");
        if (acc.Inconsistent > 0)
            AnsiConsole.MarkupLine($"[red bold]{acc.Inconsistent} images certified yet attacked: the bound is unsound[/]");
        if (json is not null)
        {
            var report = new Dictionary<string, object?>
            {
                ["model"] = path, ["dataset"] = "mnist", ["norm"] = "l2", ["count"] = acc.Count, ["eps"] = radius,
                ["clean_accuracy"] = acc.Clean, ["pgd_accuracy"] = acc.Pgd, ["certified_accuracy"] = acc.Certified,
                ["lipschitz"] = bound.Value, ["lipschitz_source"] = bound.Source, ["naive"] = bound.Naive, ["lipsdp"] = bound.LipSdp is { } v && double.IsFinite(v) ? v : null,
                ["lipsdp_seconds"] = bound.LipSdpSeconds, ["lbdn_gamma"] = metadata?.Gamma, ["lbdn_lmi"] = bound.Lmi, ["claimed"] = bound.Claimed, ["pgd_steps"] = pgdSteps, ["pgd_restarts"] = restarts,
                ["inconsistent"] = acc.Inconsistent, ["seconds"] = seconds,
            };
            File.WriteAllText(json, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        }
        return acc.Inconsistent > 0 ? 1 : 0;
    }
}
