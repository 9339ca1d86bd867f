using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Verify.Cli.Studies;

namespace Verify.Cli.Commands;

/// <summary>
/// `verify lipschitz-study --out DIR`: trains the study's MLPs on the synthetic leaders data and compares the MILP,
/// CROWN on the Jacobian graph with and without branch-and-bound, and the naive bound at 0.5·1; writes study.csv and
/// study.md to DIR.
/// </summary>
public static class LipschitzStudyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "directory for study.csv and study.md", Required = true };
        var widths = new Option<string>("--widths") { Description = "widths w of the 16-w-w-10 networks", DefaultValueFactory = _ => "8,16,32,64" };
        var depths = new Option<string>("--depths") { Description = "linear layers of the 16-32-...-32-10 networks", DefaultValueFactory = _ => "3,4,5,6,7,8" };
        var radii = new Option<string>("--radii") { Description = "radii around 0.5*1", DefaultValueFactory = _ => "0.01,0.05,0.1" };
        var mip = new Option<double>("--mip-timeout") { Description = "MILP seconds per case", DefaultValueFactory = _ => 120 };
        var bab = new Option<double>("--bab-timeout") { Description = "branch-and-bound seconds per case", DefaultValueFactory = _ => 60 };
        // Plain CROWN by default: on the study's networks alpha-CROWN removed at most 2 of 53 unstable ReLUs and did
        // not change the branch-and-bound's bounds (docs/benchmarks.md).
        var alpha = LipschitzCommand.AlphaIterationsOption(0);
        var cmd = new Command("lipschitz-study", "Run the local Lipschitz study (trained MLPs on synthetic data): MILP vs CROWN with/without branch-and-bound vs naive.")
            { output, widths, depths, radii, mip, bab, alpha };
        cmd.SetAction(parse =>
        {
            var options = new StudyOptions(Ints(parse.GetValue(widths)!, "--widths"), Ints(parse.GetValue(depths)!, "--depths"),
                Doubles(parse.GetValue(radii)!, "--radii"), parse.GetValue(mip), parse.GetValue(bab),
                ForwardOptimization: LipschitzCommand.ForwardOptimization(parse.GetValue(alpha)));
            if (options.Depths.Any(d => d < 2)) throw new VerifyException("--depths must be at least 2");
            var dir = parse.GetValue(output)!;
            Directory.CreateDirectory(dir);
            var cases = LipschitzStudy.Run(options, c =>
                AnsiConsole.MarkupLine(Markup.Escape($"{c.Network} r={c.Radius}: mip {F(c.Mip)}{(c.MipExact ? "" : "?")} ({c.MipSeconds:F1}s), bab {F(c.Bab)}{(c.BabExact ? "" : "?")} ({c.BabSeconds:F1}s), crown {F(c.Crown)}, naive {F(c.Naive)}")));
            File.WriteAllLines(Path.Combine(dir, "study.csv"), new[] { "network,radius,accuracy,unstable,sampled,sampled_s,naive,crown,crown_s,bab,bab_s,bab_exact,mip,mip_s,mip_exact" }
                .Concat(cases.Select(c => string.Join(",", c.Network, F(c.Radius), F(c.Accuracy), c.Unstable, F(c.Sampled), F(c.SampledSeconds), F(c.Naive),
                    F(c.Crown), F(c.CrownSeconds), F(c.Bab), F(c.BabSeconds), c.BabExact, F(c.Mip), F(c.MipSeconds), c.MipExact))));
            File.WriteAllText(Path.Combine(dir, "study.md"), Markdown(cases));
            AnsiConsole.Write(new Text(Markdown(cases)));
            return 0;
        });
        return cmd;
    }

    static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>The study's table and the headline fraction, as Markdown.</summary>
    public static string Markdown(IReadOnlyList<StudyCase> cases)
    {
        var lines = new List<string>
        {
            "| network | radius | unstable | sampled | MILP | MILP s | BaB | BaB s | CROWN | CROWN s | naive |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        };
        foreach (var c in cases)
            lines.Add($"| {c.Network} | {F(c.Radius)} | {c.Unstable} | {F(c.Sampled)} | {F(c.Mip)}{(c.MipExact ? "" : " (bound, timeout)")} | {c.MipSeconds:F1} | " +
                      $"{F(c.Bab)}{(c.BabExact ? "" : " (open)")} | {c.BabSeconds:F1} | {F(c.Crown)} | {c.CrownSeconds:F2} | {F(c.Naive)} |");
        var finished = cases.Where(c => c.MipExact).ToList();
        int good = finished.Count(c => c.BabWithinOnePercentAndFaster);
        lines.Add("");
        lines.Add($"MILP finished on {finished.Count} of {cases.Count} cases; on those, branch-and-bound was within 1% of the exact value " +
                  $"and faster than the MILP in {good} of {finished.Count}" +
                  (finished.Count > 0 ? $" ({100.0 * good / finished.Count:F0}%)." : "."));
        return string.Join("\n", lines) + "\n";
    }

    static int[] Ints(string text, string name) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
            : throw new VerifyException($"{name}: '{t}' is not a positive integer")).ToArray();

    static double[] Doubles(string text, string name) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v) ? v
            : throw new VerifyException($"{name}: '{t}' is not a positive number")).ToArray();
}
