using System.Text.Json;
using Spectre.Console;
using TorchSharp;
using Verify.Training.Convex;
using Verify.Training.Data;
using Verify.Training.Export;
using Verify.Training.Methods;
using static TorchSharp.torch;

namespace Verify.Cli.Commands;

/// <summary>What `verify train --method convex-robust` was asked to do.</summary>
/// <param name="Options">The convex program and its first-order solver.</param>
/// <param name="Task">The two digits.</param>
/// <param name="Solver">first-order, glop or pdlp.</param>
/// <param name="Train">Training images of the two digits.</param>
/// <param name="Test">Test images of the two digits.</param>
/// <param name="Output">Output folder.</param>
/// <param name="EvalCount">Test images of the PGD evaluation.</param>
/// <param name="EvalPgdSteps">PGD steps of the evaluation.</param>
public sealed record ConvexTrainRequest(ConvexOptions Options, BinaryTask Task, string Solver, ImageSet Train, ImageSet Test, string Output,
    int EvalCount, int EvalPgdSteps);

/// <summary>Convex robust training of a one-hidden-layer network on a two-digit MNIST task, ONNX export and report.</summary>
public static class ConvexTrainRun
{
    static ConvexSolution Rounds(ConvexData data, ActivationPatterns patterns, ConvexOptions o, Action<double, double, string> update)
    {
        ConvexSolution? solution = null;
        double seconds = 0;
        int rounds = Math.Max(1, o.PatternRounds);
        for (int round = 0; round < rounds; round++)
        {
            if (solution is not null) patterns = patterns.Regenerate(data.X, solution.W, solution.B);
            int k = round;
            solution = FirstOrderSolver.Solve(data, patterns, o, (step, steps, obj) =>
                update(k * steps + step, rounds * steps, $"round {k + 1}/{rounds} step {step}/{steps} penalised objective {obj:G5}"), solution);
            seconds += solution.Seconds;
            ProgressReporter.Log($"round {round + 1}: objective {solution.Objective:G5}, max violation {solution.Gap.MaxViolation:G3}, " +
                $"{100 * solution.Gap.ViolatedFraction:F2}% pairs violated, pattern differs on {100 * solution.Gap.PatternMismatchFraction:F2}% of images");
        }
        return solution! with { Seconds = seconds };
    }

    /// <summary>Samples the patterns, solves the program, recovers and exports the network; returns the exit code.</summary>
    public static int Run(ConvexTrainRequest r, Device device)
    {
        var o = r.Options;
        var data = ConvexData.From(r.Train, device);
        Console.WriteLine($"convex robust training ({o.Loss}, {o.Regularizer}, beta {o.Beta}) of a one-hidden-layer network with {o.Neurons} neurons " +
            $"on digits {r.Task} ({data.Count} training images) at eps {o.Eps} by {r.Solver}; writing {r.Output}");
        var patterns = ActivationPatterns.Sample(data.X, o.Neurons, o.LinearPattern, o.Seed);
        ConvexSolution solution = null!;
        ProgressReporter.Run("convex", update =>
        {
            solution = r.Solver switch
            {
                "glop" => LpSolver.Solve(data, patterns, o, "GLOP", 3600),
                "pdlp" => LpSolver.Solve(data, patterns, o, "PDLP", 3600),
                _ => Rounds(data, patterns, o, update),
            };
        });
        patterns = solution.Patterns;
        var net = OneHiddenNetwork.FromSolution(solution, new long[] { 1, 28, 28 }, device);
        Directory.CreateDirectory(r.Output);
        var onnx = Path.Combine(r.Output, "model.onnx");
        OnnxExport.Save(net, onnx);
        net.save(Path.Combine(r.Output, "checkpoint.bin"));
        var trainAcc = Evaluation.Run(net, r.Train, o.Eps, pgdSteps: 0);
        var testAcc = Evaluation.Run(net, r.Test, o.Eps, pgdSteps: 0);
        var pgd = Evaluation.Run(net, r.Test.Take(r.EvalCount), o.Eps, r.EvalPgdSteps);
        long live;
        using (torch.no_grad()) live = solution.W.abs().sum(1).gt(0).sum().item<long>();
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]one-hidden ({o.Neurons}) by convex-robust, digits {r.Task}, eps {o.Eps}[/]");
        table.AddColumns("", "value");
        table.AddRow("program", $"{data.Count} samples x {data.Features} features, {o.Neurons} neurons ({patterns.Neurons / 2 + patterns.Neurons % 2} patterns), {live} non-zero");
        table.AddRow("solver", $"{solution.Solver}, {solution.Seconds:F1} s");
        table.AddRow("objective (no penalty)", $"{solution.Objective:G6}");
        table.AddRow("feasibility gap", $"max violation {solution.Gap.MaxViolation:G3}, {100 * solution.Gap.ViolatedFraction:F3}% of (sample, neuron) pairs, " +
            $"pattern differs on {100 * solution.Gap.PatternMismatchFraction:F2}% of training images");
        table.AddRow($"clean accuracy train / test ({r.Test.Count} test images)", $"{100 * trainAcc.Clean:F2}% / {100 * testAcc.Clean:F2}%");
        table.AddRow("IBP-certified accuracy train / test", $"{100 * trainAcc.Certified:F2}% / {100 * testAcc.Certified:F2}%");
        table.AddRow($"PGD accuracy ({pgd.Count} test images, {r.EvalPgdSteps} steps)", $"{100 * pgd.Pgd:F2}%");
        table.AddRow("files", Markup.Escape($"{onnx}, checkpoint.bin, convex.json (certify with: verify certify {onnx} --classes {r.Task} --eps {o.Eps} --exact 10)"));
        AnsiConsole.Write(table);
        var report = new Dictionary<string, object>
        {
            ["classes"] = r.Task.ToString(), ["eps"] = o.Eps, ["neurons"] = o.Neurons, ["loss"] = o.Loss.ToString(), ["regularizer"] = o.Regularizer.ToString(),
            ["beta"] = o.Beta, ["samples"] = data.Count, ["features"] = data.Features, ["solver"] = solution.Solver, ["seconds"] = solution.Seconds,
            ["objective"] = solution.Objective, ["max_violation"] = solution.Gap.MaxViolation, ["violated_fraction"] = solution.Gap.ViolatedFraction,
            ["pattern_mismatch_fraction"] = solution.Gap.PatternMismatchFraction, ["nonzero_neurons"] = live,
            ["train_clean"] = trainAcc.Clean, ["test_clean"] = testAcc.Clean, ["test_ibp_certified"] = testAcc.Certified, ["test_pgd"] = pgd.Pgd,
        };
        File.WriteAllText(Path.Combine(r.Output, "convex.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
