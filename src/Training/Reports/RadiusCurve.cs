using Verify.Training.Lipschitz;

namespace Verify.Training.Reports;

/// <summary>The certified l2 accuracy against the radius as a PNG (ScottPlot).</summary>
public static class RadiusCurve
{
    /// <summary>Radii from 0 to <paramref name="max"/> in <paramref name="points"/> steps.</summary>
    public static double[] Radii(double max, int points = 81) =>
        Enumerable.Range(0, points).Select(i => max * i / (points - 1)).ToArray();

    /// <summary>
    /// Writes the curve of the per-image certified radii <paramref name="imageRadii"/> to <paramref name="path"/>,
    /// marking <paramref name="radius"/>; returns the path.
    /// </summary>
    public static string Save(double[] imageRadii, double radius, string title, string path, double? maxRadius = null)
    {
        var radii = Radii(maxRadius ?? Math.Max(2 * radius, 0.5));
        var acc = L2Evaluation.Curve(imageRadii, radii).Select(a => 100 * a).ToArray();
        var plot = new ScottPlot.Plot();
        var s = plot.Add.Scatter(radii, acc);
        s.MarkerSize = 0;
        s.LegendText = "certified";
        var line = plot.Add.VerticalLine(radius);
        line.LegendText = $"r = {radius}";
        plot.Title(title);
        plot.XLabel("l2 radius (pixels in [0,1])");
        plot.YLabel("certified accuracy (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, 640, 420);
        return path;
    }
}
