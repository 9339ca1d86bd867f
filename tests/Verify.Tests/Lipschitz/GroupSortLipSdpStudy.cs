using System.Diagnostics;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using static Verify.Tests.Lipschitz.GroupSortNetworks;

namespace Verify.Tests.Lipschitz;

/// <summary>
/// The measurement behind docs/benchmarks.md "LipSDP for GroupSort/MaxMin": explicit (not in CI). Writes the
/// orthogonal MaxMin network as ONNX to $VERIFY_GROUPSORT_OUT (when set) for `verify lipschitz --method lipsdp`.
/// </summary>
[Explicit("measurement for docs/benchmarks.md")]
public class GroupSortLipSdpStudy
{
    static void Row(string line)
    {
        TestContext.Out.WriteLine(line);
        if (Environment.GetEnvironmentVariable("VERIFY_GROUPSORT_OUT") is { } dir) File.AppendAllText(Path.Combine(dir, "rows.md"), line + "\n");
    }

    [Test]
    public void Table()
    {
        var options = new LipSdpOptions(TimeLimitSeconds: 10);
        string F(double v) => v.ToString("F6", System.Globalization.CultureInfo.InvariantCulture);
        var orth = new List<double[,]> { Orthogonal(8, 8, 3), Orthogonal(8, 8, 4), Orthogonal(8, 8, 5), Orthogonal(4, 8, 6) };
        if (Environment.GetEnvironmentVariable("VERIFY_GROUPSORT_OUT") is { } dir)
            WriteOnnx(orth, Path.Combine(dir, "maxmin_orthogonal.onnx"), MaxMinForm.Split);
        var net = MaxMin(orth);
        var rewrite = ResidualReluRewrite(orth);
        foreach (var form in new[] { LipSdpForm.Neuron, LipSdpForm.Layer })
        {
            var a = LipSdpSolver.Solve(net, options with { Form = form });
            var b = LipSdpSolver.Solve(rewrite, options with { Form = form });
            Row($"| orthogonal 8-8-8-8-4 | {form} | MaxMin QC {F(a.Upper)} ({a.Seconds:F2} s) | residual-ReLU rewrite {F(b.Upper)} ({b.Seconds:F2} s) | naive {F(NaiveLipschitz.SpectralNormProduct(net))} |");
        }
        foreach (var widths in new[] { new[] { 4, 8, 8, 2 }, new[] { 8, 16, 16, 4 } })
            for (int seed = 1; seed <= 3; seed++)
            {
                var w = Enumerable.Range(1, widths.Length - 1).Select(k => Gaussian(widths[k], widths[k - 1], 100 * seed + k)).ToList();
                foreach (var (n, kind) in new[] { (MaxMin(w), "MaxMin"), (Householders(w, seed), "Householder"), (ResidualReluRewrite(w), "MaxMin as ReLU rewrite") })
                {
                    var clock = Stopwatch.StartNew();
                    var neuron = LipSdpSolver.Solve(n, options);
                    var layer = LipSdpSolver.Solve(n, options with { Form = LipSdpForm.Layer });
                    double sampled = GlobalL2Analysis.SampledJacobianNorm(n, null, null, 5000, seed);
                    Row($"| {string.Join("-", widths)} | {seed} | {kind} | {F(sampled)} | {F(neuron.Upper)} | {F(layer.Upper)} | {F(NaiveLipschitz.SpectralNormProduct(n))} | {neuron.Seconds:F2} / {layer.Seconds:F2} |");
                    if (kind != "MaxMin") continue;
                    var linf = LinfLipSdp.Solve(n, options);
                    var rng = new Random(seed);
                    double sampledInf = 0;
                    for (int s = 0; s < 5000; s++)
                    {
                        var x = Enumerable.Range(0, widths[0]).Select(_ => 4 * rng.NextDouble() - 2).ToArray();
                        var jac = GlobalL2Analysis.JacobianAt(n, x);
                        for (int o = 0; o < jac.RowCount; o++) sampledInf = Math.Max(sampledInf, jac.Row(o).L1Norm());
                    }
                    double naiveInf = n.Layers.Aggregate(1.0, (a, l) => a * Enumerable.Range(0, l.Outputs).Max(i => Enumerable.Range(0, l.Inputs).Sum(c => Math.Abs(l.Weight[i, c]))));
                    Row($"| linf | {string.Join("-", widths)} | {seed} | sampled {F(sampledInf)} | LipSDP-linf {F(linf.Bound)} | sqrt(n)*l2 {F(Math.Sqrt(widths[0]) * neuron.Upper)} | naive prod ||W||_inf {F(naiveInf)} | {linf.Seconds:F2} s |");
                }
            }
    }
}
