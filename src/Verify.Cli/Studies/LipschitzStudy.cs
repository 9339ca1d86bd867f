using Verify.Lipschitz;

namespace Verify.Cli.Studies;

/// <summary>Options of the Lipschitz study.</summary>
/// <param name="Widths">Widths w of the 16-w-w-10 networks.</param>
/// <param name="Depths">Numbers of linear layers of the 16-32-…-32-10 networks.</param>
/// <param name="Radii">Radii of the l∞ balls around 0.5·1.</param>
/// <param name="MipSeconds">MILP time limit per case (shared by the outputs).</param>
/// <param name="BabSeconds">Branch-and-bound time limit per case.</param>
/// <param name="Training">Training options.</param>
/// <param name="ForwardOptimization">alpha-CROWN for the forward bounds shared by every method (null: plain CROWN).</param>
public sealed record StudyOptions(int[] Widths, int[] Depths, double[] Radii, double MipSeconds = 120, double BabSeconds = 60,
    TrainingOptions? Training = null, Verify.Bounds.OptimizationOptions? ForwardOptimization = null);

/// <summary>
/// The published study's networks (MLPs on the synthetic leaders data) at x0 = 0.5·1: for each network and radius,
/// the MILP (exact when it finishes), CROWN on the Jacobian graph without and with branch-and-bound, and the naive bound.
/// </summary>
public static class LipschitzStudy
{
    /// <summary>The widths of every network of the study.</summary>
    public static IEnumerable<int[]> Networks(StudyOptions options) =>
        options.Widths.Select(w => new[] { 16, w, w, 10 })
            .Concat(options.Depths.Select(d => new[] { 16 }.Concat(Enumerable.Repeat(32, d - 1)).Append(10).ToArray()))
            .DistinctBy(a => string.Join("-", a));

    /// <summary>Runs every case, reporting each as it finishes.</summary>
    public static List<StudyCase> Run(StudyOptions options, Action<StudyCase>? onCase = null)
    {
        var (x, y) = SyntheticLeaders.Generate();
        var cases = new List<StudyCase>();
        bool warm = false;
        foreach (var widths in Networks(options))
        {
            var (dense, accuracy) = MlpTrainer.Train(widths, x, y, options.Training ?? new TrainingOptions());
            var net = LipschitzNetwork.FromDense(dense);
            if (!warm)
            {
                // One untimed pass of every method first, so that neither search pays the JIT and solver start-up.
                var box = (Enumerable.Repeat(0.49, 16).ToArray(), Enumerable.Repeat(0.51, 16).ToArray());
                LipschitzAnalysis.Run(net, box.Item1, box.Item2, new LipschitzOptions(
                    new[] { LipschitzMethod.Naive, LipschitzMethod.Crown, LipschitzMethod.Bab, LipschitzMethod.Mip }, TimeoutSeconds: 5, OverallOnly: true));
                warm = true;
            }
            foreach (var r in options.Radii)
            {
                var lo = Enumerable.Repeat(0.5 - r, 16).ToArray();
                var hi = Enumerable.Repeat(0.5 + r, 16).ToArray();
                // One analysis runs both searches, so they share the sampled bound (the MILP uses it to skip outputs
                // that cannot attain the maximum, the branch-and-bound as its incumbent) and the forward and CROWN
                // bounds (the MILP's big-M constants, the branch-and-bound's root); each time is that shared part
                // plus its own search.
                var report = LipschitzAnalysis.Run(net, lo, hi, new LipschitzOptions(
                    new[] { LipschitzMethod.Naive, LipschitzMethod.Crown, LipschitzMethod.Bab, LipschitzMethod.Mip },
                    TimeoutSeconds: options.BabSeconds, MipTimeoutSeconds: options.MipSeconds, OverallOnly: true,
                    ForwardOptimization: options.ForwardOptimization));
                var by = report.Methods.ToDictionary(m => m.Method);
                var m = by[LipschitzMethod.Mip];
                var c = new StudyCase(string.Join("-", widths), r, accuracy, report.UnstableNeurons, report.OverallLower, report.SamplingSeconds,
                    by[LipschitzMethod.Naive].OverallUpper, by[LipschitzMethod.Crown].OverallUpper, by[LipschitzMethod.Crown].Seconds,
                    by[LipschitzMethod.Bab].OverallUpper, by[LipschitzMethod.Bab].Seconds + report.SamplingSeconds, by[LipschitzMethod.Bab].OverallExact,
                    m.OverallUpper, m.Seconds + report.SamplingSeconds, m.OverallExact);
                cases.Add(c);
                onCase?.Invoke(c);
            }
        }
        return cases;
    }
}
