using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using TorchSharp;
using Verify.Training.Convex;
using Verify.Training.Data;
using Verify.Training.Export;
using Verify.Training.Lipschitz;
using Verify.Training.Methods;
using Verify.Training.Models;
using Verify.Training.Reports;

namespace Verify.Cli.Commands;

/// <summary>`verify train`: certified (IBP, CROWN-IBP) or adversarial (PGD, TRADES) training, ONNX export, report.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var data = new DataOptions();
        var convex = new ConvexTrainOptions();
        var lipschitz = new LipschitzTrainOptions();
        var model = new Option<string>("--model") { Description = $"Network: {string.Join(", ", ModelZoo.Names.Concat(LbdnZoo.Names))}, {OneHiddenNetwork.Name} (--neurons)", DefaultValueFactory = _ => "cnn-small" };
        var method = new Option<string>("--method") { Description = "natural, pgd, trades, ibp, crown-ibp or convex-robust (one-hidden, two classes)", DefaultValueFactory = _ => "natural" };
        method.AcceptOnlyFromAmong("natural", "pgd", "trades", "ibp", "crown-ibp", "convex-robust");
        var eps = new Option<double>("--eps") { Description = "Test epsilon (L-inf, pixels in [0,1])", DefaultValueFactory = _ => 0.1 };
        var trainEps = new Option<double?>("--train-eps") { Description = "Training epsilon after the ramp (default: --eps)" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => 10 };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default: runs/MODEL-METHOD-EPS)" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var decay = new Option<string?>("--lr-decay") { Description = "Comma-separated epochs at whose start the learning rate is multiplied by --lr-decay-factor" };
        var decayFactor = new Option<double>("--lr-decay-factor") { DefaultValueFactory = _ => 0.2 };
        var warmup = new Option<double>("--warmup") { Description = "Epochs of natural warm-up", DefaultValueFactory = _ => 1 };
        var ramp = new Option<double>("--ramp") { Description = "Epochs of the eps ramp", DefaultValueFactory = _ => 5 };
        var rampShape = new Option<string>("--ramp-shape") { DefaultValueFactory = _ => "smoothed" };
        rampShape.AcceptOnlyFromAmong("linear", "smoothed");
        var kappaStart = new Option<double>("--kappa-start") { Description = "Weight of the natural loss at the start of the ramp", DefaultValueFactory = _ => 1 };
        var kappaEnd = new Option<double>("--kappa-end") { Description = "Weight of the natural loss at the end of the ramp", DefaultValueFactory = _ => 0.5 };
        var batchNorm = new Option<bool>("--batch-norm") { Description = "BatchNorm after every hidden layer (Shi et al.; off by default: slower and worse on cnn-small here, see docs/benchmarks.md)" };
        var init = new Option<string?>("--init") { Description = "default or ibp (Shi et al.; default for ibp/crown-ibp)" };
        init.AcceptOnlyFromAmong("default", "ibp");
        var reg = new Option<double>("--reg-lambda") { Description = "Weight of Shi et al.'s warm-up regularisers (0: off; they used 0.5)" };
        var pgdSteps = new Option<int>("--pgd-steps") { Description = "Attack steps per batch (pgd, trades)", DefaultValueFactory = _ => 10 };
        var tradesBeta = new Option<double>("--trades-beta") { DefaultValueFactory = _ => 6 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1 };
        var evalCount = new Option<int>("--eval-count") { Description = "Test images evaluated after every epoch", DefaultValueFactory = _ => 1000 };
        var evalPgd = new Option<int>("--eval-pgd-steps") { DefaultValueFactory = _ => 20 };
        var trainLimit = new Option<int>("--train-limit") { Description = "Use only the first N training images (0: all)" };
        var cmd = new Command("train", "Train an MNIST classifier (natural, PGD, TRADES, IBP, CROWN-IBP) and export it as ONNX.")
        {
            model, method, eps, trainEps, epochs, outDir, batch, lr, decay, decayFactor, warmup, ramp, rampShape, kappaStart, kappaEnd,
            batchNorm, init, reg, pgdSteps, tradesBeta, seed, evalCount, evalPgd, trainLimit,
        };
        data.AddTo(cmd);
        convex.AddTo(cmd);
        lipschitz.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var device = data.DeviceOf(parse);
            var m = parse.GetValue(method)!;
            var task = convex.Check(parse, m, parse.GetValue(model)!);
            var tm = m switch
            {
                "pgd" => TrainingMethod.Pgd, "trades" => TrainingMethod.Trades, "ibp" => TrainingMethod.Ibp,
                "crown-ibp" => TrainingMethod.CrownIbp, _ => TrainingMethod.Natural,
            };
            bool certified = tm is TrainingMethod.Ibp or TrainingMethod.CrownIbp;
            double e = parse.GetValue(eps);
            if (e < 0 || e > 1) throw new VerifyException($"--eps must be in [0,1], got {e}");
            if (parse.GetValue(epochs) < 1) throw new VerifyException("--epochs must be at least 1");
            var modelName = parse.GetValue(model)!;
            lipschitz.Validate(parse, modelName, tm, parse.GetValue(batchNorm));
            if (LbdnZoo.IsLbdn(modelName))
            {
                var lbdn = new LbdnOptions
                {
                    Model = modelName, Gamma = parse.GetValue(lipschitz.Lipschitz) ?? 1, Method = tm, Radius = parse.GetValue(lipschitz.Radius),
                    TrainRadius = lipschitz.TrainRadiusOf(parse), Temperature = parse.GetValue(lipschitz.Temperature), Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr), LrDecayEpochs = ParseInts(parse.GetValue(decay)),
                    LrDecayFactor = parse.GetValue(decayFactor), PgdSteps = parse.GetValue(pgdSteps), Seed = parse.GetValue(seed),
                    EvalCount = parse.GetValue(evalCount), EvalPgdSteps = parse.GetValue(evalPgd), TrainLimit = parse.GetValue(trainLimit),
                    Widths = lipschitz.WidthsOf(parse, modelName),
                };
                LbdnZoo.Check(modelName);
                return LbdnTrainRun.Run(lbdn, device, data.Folder(parse), parse.GetValue(lipschitz.Load), parse.GetValue(outDir)
                    ?? Path.Combine("runs", string.Format(CultureInfo.InvariantCulture, "{0}-gamma{1}-{2}", modelName, lbdn.Gamma, m)));
            }
            var options = new TrainOptions
            {
                Model = parse.GetValue(model)!, Method = tm, Eps = e, TrainEps = parse.GetValue(trainEps) ?? e,
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                LrDecayEpochs = ParseInts(parse.GetValue(decay)), LrDecayFactor = parse.GetValue(decayFactor),
                WarmupEpochs = parse.GetValue(warmup), RampEpochs = parse.GetValue(ramp),
                Ramp = parse.GetValue(rampShape) == "linear" ? RampShape.Linear : RampShape.Smoothed,
                KappaStart = parse.GetValue(kappaStart), KappaEnd = parse.GetValue(kappaEnd),
                BatchNorm = parse.GetValue(batchNorm),
                Init = (parse.GetValue(init) ?? (certified ? "ibp" : "default")) == "ibp" ? InitKind.Ibp : InitKind.Default,
                RegLambda = parse.GetValue(reg), PgdSteps = parse.GetValue(pgdSteps),
                TradesBeta = parse.GetValue(tradesBeta), Seed = parse.GetValue(seed), EvalCount = parse.GetValue(evalCount),
                EvalPgdSteps = parse.GetValue(evalPgd), TrainLimit = parse.GetValue(trainLimit),
                LossFusion = parse.GetValue(convex.LossFusion),
            };
            torch.manual_seed(options.Seed);
            var net = options.Model == OneHiddenNetwork.Name
                ? OneHiddenNetwork.Create(parse.GetValue(convex.Neurons), task is null ? 10 : 2, new long[] { 1, 28, 28 }, options.Init, device)
                : ModelZoo.Create(options.Model, options.BatchNorm, options.Init, device);
            options = lipschitz.Apply(parse, options, net.Layers.Count(l => l is LinearLayer or ConvLayer));
            var dir = data.Folder(parse);
            var train = MnistData.Load(dir, train: true, device);
            var test = MnistData.Load(dir, train: false, device);
            if (task is not null) (train, test) = (task.Filter(train), task.Filter(test));
            var output = parse.GetValue(outDir) ?? Path.Combine("runs", $"{options.Model}-{m}-{e.ToString(CultureInfo.InvariantCulture)}");
            if (m == "convex-robust")
                return ConvexTrainRun.Run(convex.Request(parse, options, task!, train, test, output), device);
            Directory.CreateDirectory(output);
            var csv = Path.Combine(output, "epochs.csv");
            if (File.Exists(csv)) File.Delete(csv);
            Console.WriteLine($"training {options.Model} ({(options.BatchNorm ? "BatchNorm, " : "")}{options.Init} init) by {m} at eps {e} " +
                $"(train eps {options.TrainEps}) for {options.Epochs} epochs on {device.type}; writing {output}");
            var history = new List<EpochRecord>();
            var watch = Stopwatch.StartNew();
            ProgressReporter.Run("train", update =>
            {
                var trainer = new Trainer(net, options)
                {
                    OnBatch = p => update((p.Epoch - 1) * p.Batches + p.Batch, p.Epochs * p.Batches,
                        $"epoch {p.Epoch}/{p.Epochs} eps {p.Eps:F3} loss {p.Loss:F4} acc {100 * p.Accuracy:F1}%"),
                    OnEpoch = r =>
                    {
                        history.Add(r);
                        EpochCsv.Append(csv, r);
                        ProgressReporter.Log($"epoch {r.Epoch}: eps {r.Eps:F3} loss {r.Loss:F4} train acc {100 * r.TrainAccuracy:F2}% | test sample: clean {100 * r.CleanAccuracy:F2}% " +
                            $"PGD {100 * r.PgdAccuracy:F2}% IBP-certified {100 * r.IbpCertifiedAccuracy:F2}% tightness {r.Tightness:G3} | {r.TrainSeconds:F0} s training");
                    },
                };
                trainer.Run(train, test);
            });
            var onnx = Path.Combine(output, "model.onnx");
            OnnxExport.Save(net, onnx);
            net.save(Path.Combine(output, "checkpoint.bin"));
            var plots = TrainingPlots.Save(history, output);
            var final = Evaluation.Run(net, test, e, pgdSteps: 0);
            var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(options.Model)} by {m}, eps {e}[/]");
            table.AddColumns("", "value");
            table.AddRow("training time", $"{history[^1].TrainSeconds:F0} s (wall {watch.Elapsed.TotalSeconds:F0} s with evaluation)");
            table.AddRow($"clean accuracy ({final.Count} test images)", $"{100 * final.Clean:F2}%");
            table.AddRow($"IBP-certified accuracy ({final.Count} test images)", $"{100 * final.Certified:F2}%");
            table.AddRow($"PGD accuracy ({options.EvalCount} images, {options.EvalPgdSteps} steps)", $"{100 * history[^1].PgdAccuracy:F2}%");
            table.AddRow("IBP tightness untrained → after epoch 1 → last epoch", $"{history[0].Tightness:G3} → {history[Math.Min(1, history.Count - 1)].Tightness:G3} → {history[^1].Tightness:G3}");
            table.AddRow("files", Markup.Escape($"{onnx}, checkpoint.bin, epochs.csv, {string.Join(", ", plots.Select(Path.GetFileName))}"));
            if (lipschitz.Spectral(parse))
                table.AddRow(Markup.Escape($"l2 (spectral norm <= {options.SpectralNorm}, {parse.GetValue(lipschitz.SpectralMethod)})"),
                    Markup.Escape(SpectralReport.Describe(onnx, test, parse.GetValue(lipschitz.Radius), output)));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    static int[] ParseInts(string? s) =>
        string.IsNullOrWhiteSpace(s) ? Array.Empty<int>()
            : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(v => int.TryParse(v, out var i) ? i : throw new VerifyException($"--lr-decay: not an epoch number: '{v}'")).ToArray();
}
