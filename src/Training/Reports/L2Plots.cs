using Verify.Training.Lipschitz;

namespace Verify.Training.Reports;

/// <summary>The accuracy curves of an l2 run by epoch (ScottPlot).</summary>
public static class L2Plots
{
    /// <summary>Writes accuracy.png (clean, l2-PGD, certified on the fixed test sample) into <paramref name="dir"/>; returns its path.</summary>
    public static string Save(IReadOnlyList<L2EpochRecord> history, string dir)
    {
        Directory.CreateDirectory(dir);
        var plot = new ScottPlot.Plot();
        var epochs = history.Select(r => (double)r.Epoch).ToArray();
        foreach (var (name, y) in new[]
                 {
                     ("clean", history.Select(r => r.CleanAccuracy).ToArray()),
                     ("l2-PGD", history.Select(r => r.PgdAccuracy).ToArray()),
                     ("certified", history.Select(r => r.CertifiedAccuracy).ToArray()),
                 })
        {
            var keep = Enumerable.Range(0, y.Length).Where(i => double.IsFinite(y[i])).ToArray();
            if (keep.Length == 0) continue;
            plot.Add.Scatter(keep.Select(i => epochs[i]).ToArray(), keep.Select(i => y[i]).ToArray()).LegendText = name;
        }
        plot.Title("test accuracy (fixed sample)");
        plot.XLabel("epoch");
        plot.YLabel("accuracy");
        plot.ShowLegend();
        var path = Path.Combine(dir, "accuracy.png");
        plot.SavePng(path, 640, 420);
        return path;
    }
}
