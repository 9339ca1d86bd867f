using System.Globalization;

using Verify.Lipschitz.Sdp;

namespace Verify.Cli.Studies;

/// <summary>The naive bound and every (form, method) LipSDP run on one network.</summary>
/// <param name="Network">The file measured.</param>
/// <param name="LayerSizes">Input size, then each layer's outputs.</param>
/// <param name="Naive">The product of spectral norms.</param>
/// <param name="NaiveSeconds">Time of the naive bound.</param>
/// <param name="Rows">The LipSDP runs.</param>
public sealed record LipSdpBenchmarkReport(string Network, int[] LayerSizes, double Naive, double NaiveSeconds,
    IReadOnlyList<LipSdpBenchmarkRow> Rows)
{
    /// <summary>The report as a Markdown table (bounds to 4 decimals, times in seconds).</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"{Path.GetFileName(Network)} ({string.Join('-', LayerSizes)})",
            "",
            "| method | form | certified upper | LP lower | iterations | seconds |",
            "|---|---|---|---|---|---|",
            string.Format(inv, "| naive (product of spectral norms) | | {0:F4} | | | {1:F3} |", Naive, NaiveSeconds),
        };
        foreach (var r in Rows)
            lines.Add(string.Format(inv, "| LipSDP {0} | {1} | {2:F4} | {3:F4} | {4} | {5:F3} |",
                r.Method, r.Form, r.Result.Upper, r.Result.LowerRelaxation, r.Result.Iterations, r.Result.Seconds));
        return string.Join('\n', lines);
    }
}
