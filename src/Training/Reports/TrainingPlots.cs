using Verify.Training.Methods;

namespace Verify.Training.Reports;

/// <summary>PNG plots of a run (ScottPlot): loss, accuracies, and the IBP tightness on a log scale.</summary>
public static class TrainingPlots
{
    /// <summary>Writes loss.png, accuracy.png and tightness.png into <paramref name="dir"/>; returns their paths.</summary>
    public static string[] Save(IReadOnlyList<EpochRecord> history, string dir)
    {
        Directory.CreateDirectory(dir);
        var epochs = history.Select(r => (double)r.Epoch).ToArray();
        var loss = Plot("training loss", "loss", epochs, ("loss", history.Select(r => r.Loss).ToArray()));
        var acc = Plot("test accuracy (fixed sample)", "accuracy",  epochs,
            ("clean", history.Select(r => r.CleanAccuracy).ToArray()),
            ("PGD", history.Select(r => r.PgdAccuracy).ToArray()),
            ("IBP-certified", history.Select(r => r.IbpCertifiedAccuracy).ToArray()));
        var tight = Plot("IBP tightness (Mao et al. 2024)", "log10 tightness", epochs,
            ("tightness", history.Select(r => Math.Log10(Math.Max(r.Tightness, 1e-30))).ToArray()));
        var paths = new[] { Path.Combine(dir, "loss.png"), Path.Combine(dir, "accuracy.png"), Path.Combine(dir, "tightness.png") };
        loss.SavePng(paths[0], 640, 420);
        acc.SavePng(paths[1], 640, 420);
        tight.SavePng(paths[2], 640, 420);
        return paths;
    }

    static ScottPlot.Plot Plot(string title, string yLabel, double[] x, params (string Name, double[] Y)[] series)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, y) in series)
        {
            var keep = Enumerable.Range(0, y.Length).Where(i => double.IsFinite(y[i])).ToArray();
            if (keep.Length == 0) continue;
            var s = plot.Add.Scatter(keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
            s.LegendText = name;
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        if (series.Length > 1) plot.ShowLegend();
        return plot;
    }
}
