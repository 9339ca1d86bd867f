using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using TorchSharp;
using Verify.Training.Data;
using Verify.Training.Export;
using Verify.Training.Lipschitz;
using Verify.Training.Models;
using Verify.Training.Reports;
using static TorchSharp.torch;

namespace Verify.Cli.Commands;

/// <summary>`verify train --model lbdn-mlp`: trains an LBDN, exports it as plain Gemm/Relu ONNX and reports its l2 certificate.</summary>
public static class LbdnTrainRun
{
    /// <summary>
    /// Trains (or loads <paramref name="checkpoint"/>), evaluates the whole test set at the radius (certificate margin
    /// &gt; √2 γ r) and writes the files into <paramref name="output"/>.
    /// </summary>
    public static int Run(LbdnOptions options, Device device, string dataDir, string? checkpoint, string output)
    {
        torch.manual_seed(options.Seed);
        var net = LbdnZoo.Create(options.Model, options.Gamma, device, options.Widths);
        if (checkpoint is not null)
        {
            try { net.load(checkpoint); }
            catch (Exception e) when (e is not VerifyException) { throw new VerifyException($"cannot load {checkpoint} as {options.Model} with widths {string.Join(",", options.Widths)}: {e.Message.Split('\n')[0]}"); }
            options = options with { Epochs = 0 };
        }
        var train = MnistData.Load(dataDir, train: true, device);
        var test = MnistData.Load(dataDir, train: false, device);
        Directory.CreateDirectory(output);
        var csv = Path.Combine(output, "epochs.csv");
        if (File.Exists(csv)) File.Delete(csv);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Format(inv, "training {0} (gamma {1}, widths {2}) by {3} with the margin cross-entropy (train radius {4}, T {5}) for {6} epochs on {7}; writing {8}",
            options.Model, options.Gamma, string.Join("-", options.Widths), options.Method.ToString().ToLowerInvariant(), options.TrainRadius,
            options.Temperature, options.Epochs, device.type, output));
        var history = new List<L2EpochRecord>();
        var watch = Stopwatch.StartNew();
        ProgressReporter.Run("train", update =>
        {
            var trainer = new LbdnTrainer(net, options)
            {
                OnBatch = p => update((p.Epoch - 1) * p.Batches + p.Batch, p.Epochs * p.Batches,
                    $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} acc {100 * p.Accuracy:F1}%"),
                OnEpoch = r =>
                {
                    history.Add(r);
                    L2EpochCsv.Append(csv, r);
                    ProgressReporter.Log($"epoch {r.Epoch}: loss {r.Loss:F4} train acc {100 * r.TrainAccuracy:F2}% | test sample: clean {100 * r.CleanAccuracy:F2}% " +
                        $"l2-PGD {100 * r.PgdAccuracy:F2}% certified {100 * r.CertifiedAccuracy:F2}% at r {options.Radius} | {r.TrainSeconds:F0} s training");
                },
            };
            trainer.Run(train, test);
        });
        var onnx = Path.Combine(output, "model.onnx");
        LbdnExport.Save(net, onnx);
        if (checkpoint is null) net.save(Path.Combine(output, "checkpoint.bin"));
        var final = L2Evaluation.Run(v => net.forward(v), test, options.Gamma, options.Radius, options.EvalPgdSteps, restarts: 1,
            pgdCount: options.EvalCount);
        var files = new List<string> { L2Plots.Save(history, output), RadiusCurve.Save(final.Radii, options.Radius,
            string.Format(inv, "{0}, gamma {1}: certified l2 accuracy (margin > sqrt(2) gamma r)", options.Model, options.Gamma), Path.Combine(output, "radius.png")) };
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Format(inv, "{0} (gamma {1}) by {2}, l2 radius {3}",
            options.Model, options.Gamma, options.Method.ToString().ToLowerInvariant(), options.Radius)));
        table.AddColumns("", "value");
        table.AddRow("training time", $"{history[^1].TrainSeconds:F0} s (wall {watch.Elapsed.TotalSeconds:F0} s with evaluation)");
        table.AddRow($"clean accuracy ({final.Count} test images)", $"{100 * final.Clean:F2}%");
        table.AddRow($"certified accuracy ({final.Count} test images, L = gamma)", $"{100 * final.Certified:F2}%");
        table.AddRow($"on the first {final.Attacked}: clean / l2-PGD ({options.EvalPgdSteps} steps) / certified",
            $"{100 * final.CleanAttacked:F2}% / {100 * final.Pgd:F2}% / {100 * final.CertifiedAttacked:F2}%");
        table.AddRow("files", Markup.Escape($"{onnx}, checkpoint.bin, epochs.csv, {string.Join(", ", files.Select(Path.GetFileName))}"));
        AnsiConsole.Write(table);
        if (final.Inconsistent > 0)
            AnsiConsole.MarkupLine($"[red bold]{final.Inconsistent} images certified yet attacked: the certificate is unsound[/]");
        Console.WriteLine($"check the bound on the file: verify certify {onnx} --norm l2 --eps {options.Radius.ToString(inv)} --lipschitz {options.Gamma.ToString(inv)}");
        return final.Inconsistent > 0 ? 1 : 0;
    }
}
