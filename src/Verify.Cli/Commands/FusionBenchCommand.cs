using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TorchSharp;
using Verify.Training.Bounds;
using Verify.Training.Methods;
using Verify.Training.Models;

namespace Verify.Cli.Commands;

/// <summary>
/// `verify fusion-bench`: CROWN-IBP epoch time with and without loss fusion on synthetic K-class tasks
/// (<see cref="SyntheticClusters"/>) and an MLP 784-256-256-K, for each K given.
/// </summary>
public static class FusionBenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var classes = new Option<string>("--classes") { Description = "Comma-separated class counts K", DefaultValueFactory = _ => "10,100" };
        var count = new Option<int>("--train-count") { Description = "Synthetic training images", DefaultValueFactory = _ => 5000 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs per configuration (eps and beta ramp over all of them)", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 128 };
        var eps = new Option<double>("--eps") { DefaultValueFactory = _ => 0.05 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads of TorchSharp (0: its default)" };
        var json = new Option<string?>("--json") { Description = "Write the rows to FILE" };
        var cmd = new Command("fusion-bench", "CROWN-IBP epoch time with and without --loss-fusion on synthetic K-class tasks.")
        {
            classes, count, epochs, batch, eps, threads, json,
        };
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(threads) is > 0 and var t) torch.set_num_threads(t);
            var ks = parse.GetValue(classes)!.Split(',', StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, out int k) && k >= 2 ? k : throw new VerifyException($"--classes: not a class count >= 2: '{s}'")).ToArray();
            if (parse.GetValue(count) < 1 || parse.GetValue(epochs) < 1) throw new VerifyException("--train-count and --epochs must be at least 1");
            var rows = new List<Dictionary<string, object>>();
            var table = new Table().Border(TableBorder.Rounded).Title("[bold]CROWN-IBP epoch time, MLP 784-256-256-K[/]");
            table.AddColumns("K", "loss fusion", "epoch s (mean)", "final train loss");
            foreach (int k in ks)
            {
                var train = SyntheticClusters.Create(k, parse.GetValue(count), 1, torch.CPU);
                var test = SyntheticClusters.Create(k, 100, 2, torch.CPU);
                foreach (bool fusion in new[] { false, true })
                {
                    torch.manual_seed(1);
                    var b = new List<Layer>
                    {
                        new FlattenLayer(), new LinearLayer(torch.nn.Linear(784, 256)), new ReluLayer(),
                        new LinearLayer(torch.nn.Linear(256, 256)), new ReluLayer(), new LinearLayer(torch.nn.Linear(256, k)),
                    };
                    var net = new Network("mlp", b, new long[] { 1, 28, 28 });
                    ModelZoo.IbpInit(net);
                    var options = new TrainOptions
                    {
                        Method = TrainingMethod.CrownIbp, LossFusion = fusion, Eps = parse.GetValue(eps), TrainEps = parse.GetValue(eps),
                        Epochs = parse.GetValue(epochs), WarmupEpochs = 0, RampEpochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch),
                        EvalCount = 100, EvalPgdSteps = 1, TightnessCount = 10, LearningRate = 1e-3,
                    };
                    var history = new List<EpochRecord>();
                    ProgressReporter.Run($"K={k} fusion={fusion}", update =>
                    {
                        var trainer = new Trainer(net, options)
                        {
                            OnBatch = p => update((p.Epoch - 1) * p.Batches + p.Batch, p.Epochs * p.Batches, $"loss {p.Loss:F4}"),
                            OnEpoch = history.Add,
                        };
                        trainer.Run(train, test);
                    });
                    double seconds = history.Skip(1).Average(r => r.TrainSeconds);
                    table.AddRow(k.ToString(), fusion ? "yes" : "no", $"{seconds:F2}", $"{history[^1].Loss:F4}");
                    rows.Add(new Dictionary<string, object> { ["classes"] = k, ["loss_fusion"] = fusion, ["epoch_seconds"] = seconds, ["final_loss"] = history[^1].Loss });
                }
            }
            AnsiConsole.Write(table);
            if (parse.GetValue(json) is { } path) File.WriteAllText(path, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }
}
