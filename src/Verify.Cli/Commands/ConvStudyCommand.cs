using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Verify.Cli.Studies.ConvNets;
using Verify.Training.Data;

namespace Verify.Cli.Commands;

/// <summary>
/// `verify conv-study --out DIR`: writes the conv and residual networks of issue 15, item 2 (CIFAR shape and a small
/// shape), robustness properties and instance lists, and measures each family's bound passes (IBP, CROWN,
/// alpha-CROWN), each method in its own `verify perf` process.
/// </summary>
public static class ConvStudyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "output folder (cifar/ and small/ are written below it)", Required = true };
        var families = new Option<string>("--families") { Description = $"comma-separated families ({string.Join(", ", ConvFamilies.All.Select(f => f.Name))})", DefaultValueFactory = _ => string.Join(",", ConvFamilies.All.Select(f => f.Name)) };
        var images = new Option<int>("--images") { Description = "properties per family and shape", DefaultValueFactory = _ => 8 };
        var eps = new Option<double>("--eps") { Description = "l-infinity radius at CIFAR shape", DefaultValueFactory = _ => 2.0 / 255 };
        var smallEps = new Option<double>("--small-eps") { Description = "l-infinity radius at the small shape (8x8)", DefaultValueFactory = _ => 0.05 };
        var epochs = new Option<int>("--train-epochs") { Description = "training epochs of the trained families", DefaultValueFactory = _ => 4 };
        var trainCount = new Option<int>("--train-count") { Description = "training images (the first of MNIST's training set)", DefaultValueFactory = _ => 20000 };
        var pgdSteps = new Option<int>("--pgd-steps") { Description = "0: natural training; else PGD training at the property radius with these many steps", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var timeout = new Option<double>("--timeout") { Description = "time limit written to the instance lists (s)", DefaultValueFactory = _ => 300 };
        var noBounds = new Option<bool>("--no-bounds") { Description = "write the files only, skip the bound-pass figures" };
        var boundsLimit = new Option<double>("--bounds-limit") { Description = "seconds each bound-pass process may take", DefaultValueFactory = _ => 600 };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Folder of the MNIST IDX files (default: ${DataLocator.EnvironmentVariable}, else {DataLocator.CacheFolder()})" };
        var cmd = new Command("conv-study", "Write conv / ResNet / BatchNorm+AveragePool / MaxPool networks at CIFAR and small shape (trained on CIFAR-shaped MNIST), robustness properties and instance lists, and time the bound passes.")
        {
            output, families, images, eps, smallEps, epochs, trainCount, pgdSteps, seed, timeout, noBounds, boundsLimit, dataDir,
        };
        cmd.SetAction(parse =>
        {
            var chosen = parse.GetValue(families)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(ConvFamilies.Named).DistinctBy(f => f.Name).ToList();
            if (chosen.Count == 0) throw new VerifyException("--families: give at least one family");
            int n = parse.GetValue(images), e = parse.GetValue(epochs), count = parse.GetValue(trainCount), steps = parse.GetValue(pgdSteps);
            double r = parse.GetValue(eps), rs = parse.GetValue(smallEps), t = parse.GetValue(timeout);
            if (n < 1 || n > 1000) throw new VerifyException("--images must be between 1 and 1000");
            if (!(r > 0 && r < 1) || !(rs > 0 && rs < 1)) throw new VerifyException("--eps and --small-eps must be in (0, 1)");
            if (e < 1 || count < 1 || count > 60000) throw new VerifyException("--train-epochs must be at least 1, --train-count between 1 and 60000");
            if (steps < 0) throw new VerifyException("--pgd-steps must not be negative");
            if (!(t > 0)) throw new VerifyException("--timeout must be positive");
            string mnist = DataLocator.Resolve(parse.GetValue(dataDir));
            if (!MnistIdx.Present(mnist)) throw new VerifyException($"MNIST not found in {mnist} (give --data-dir or set {DataLocator.EnvironmentVariable})");
            var options = new ConvStudyOptions(parse.GetValue(output)!, chosen, n, r, rs, new FamilyTraining(e, PgdSteps: steps), count,
                parse.GetValue(seed), mnist, t);
            var inv = CultureInfo.InvariantCulture;
            var networks = ConvStudy.Write(options, w => AnsiConsole.MarkupLine(Markup.Escape(
                $"{w.Family.Name} ({w.Shape}): {w.Parameters:N0} parameters, {w.Relus:N0} ReLUs, " +
                (w.Family.Trained ? $"test accuracy {w.Accuracy * 100:F1}% (first {ConvStudy.AccuracyImages}), trained in {w.TrainSeconds:F1} s" : "random weights") +
                $", {w.Properties.Count} properties → {w.Onnx}")));
            var table = new Table().Border(TableBorder.Rounded).Title("networks");
            table.AddColumns("family", "shape", "parameters", "ReLUs", "accuracy", "train s", "properties");
            foreach (var w in networks)
                table.AddRow(w.Family.Name, w.Shape.ToString(), w.Parameters.ToString("N0", inv), w.Relus.ToString("N0", inv),
                    w.Family.Trained ? (w.Accuracy * 100).ToString("F1", inv) + "%" : "random", w.TrainSeconds.ToString("F1", inv), w.Properties.Count.ToString(inv));
            AnsiConsole.Write(table);
            if (parse.GetValue(noBounds)) return 0;
            var limit = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(boundsLimit)));
            var figures = new Table().Border(TableBorder.Rounded).Title("bound passes (first property of each network; one process per method)");
            figures.AddColumns("family", "shape", "method", "median ms", "runs", "min margin bound", "proved", "RSS before MiB", "peak RSS MiB");
            var csv = new List<string> { "family,shape,method,median_ms,runs,min_margin,proved,rss_before_mib,peak_rss_mib" };
            foreach (var w in networks)
                foreach (var method in new[] { "ibp", "crown", "alpha-crown" })
                {
                    string[] cells;
                    try
                    {
                        var f = BoundPassFigures.Measure(w.Onnx, w.Properties[0], method, limit);
                        cells = new[] { f.MedianMs.ToString("F1", inv), f.Runs.ToString(inv), f.MinMargin.ToString("G4", inv), f.Proved ? "yes" : "no",
                            f.RssBeforeMiB.ToString("F0", inv), f.PeakRssMiB.ToString("F0", inv) };
                    }
                    catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
                    {
                        cells = new[] { "failed", "", ex.Message.Replace(',', ';'), "", "", "" };
                    }
                    figures.AddRow(new[] { w.Family.Name, w.Shape.ToString(), method }.Concat(cells.Select(Markup.Escape)).ToArray());
                    csv.Add(string.Join(",", new[] { w.Family.Name, w.Shape.ToString(), method }.Concat(cells)));
                }
            AnsiConsole.Write(figures);
            string csvPath = Path.Combine(options.Out, "bound_passes.csv");
            File.WriteAllLines(csvPath, csv);
            AnsiConsole.MarkupLine(Markup.Escape($"bound-pass figures: {csvPath}"));
            return 0;
        });
        return cmd;
    }
}
