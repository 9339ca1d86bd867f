using Verify.Bounds;
using Verify.Lipschitz;
using static TorchSharp.torch;

namespace Verify.Tests.Lipschitz;

public class AlphaForwardTests
{
    [Test]
    public void AlphaCrownForwardBoundsAreInsideCrownsAndContainSampledPreActivations()
    {
        using var scope = NewDisposeScope();
        var dense = LipschitzReference.Mlp(new[] { 8, 16, 16, 16, 4 }, seed: 12);
        var net = LipschitzNetwork.FromDense(dense);
        var (lo, hi, _) = LipschitzReference.Box(8, 0.3, 12);
        var crown = ForwardBounds.Compute(net, lo, hi);
        var alpha = ForwardBounds.Optimized(net, lo, hi, new OptimizationOptions(Iterations: 30), Budget.Seconds(60));
        double gain = 0;
        for (int k = 0; k < crown.Length; k++)
        {
            Assert.That((alpha[k].Lower >= crown[k].Lower - 1e-12).all().item<bool>(), $"layer {k} lower");
            Assert.That((alpha[k].Upper <= crown[k].Upper + 1e-12).all().item<bool>(), $"layer {k} upper");
            gain += ((crown[k].Upper - crown[k].Lower) - (alpha[k].Upper - alpha[k].Lower)).sum().item<double>();
        }
        Assert.That(gain, Is.GreaterThan(0), "alpha-CROWN should tighten some deeper layer");
        var rng = new Random(3);
        for (int s = 0; s < 500; s++)
        {
            var a = lo.Select((l, i) => l + (hi[i] - l) * rng.NextDouble()).ToArray();
            for (int k = 0; k < crown.Length; k++)
            {
                var layer = dense.Layers[k];
                var lower = alpha[k].Lower[0].data<double>().ToArray();
                var upper = alpha[k].Upper[0].data<double>().ToArray();
                var z = Enumerable.Range(0, layer.Outputs).Select(r => layer.Bias[r] + Enumerable.Range(0, a.Length).Sum(p => layer.Weight[r, p] * a[p])).ToArray();
                for (int i = 0; i < z.Length; i++)
                    Assert.That(z[i], Is.InRange(lower[i] - 1e-9, upper[i] + 1e-9), $"sample {s}, layer {k}, neuron {i}");
                a = z.Select(v => Math.Max(0, v)).ToArray();
            }
        }
    }

    [TestCase(8, 5, 0.05)]
    [TestCase(16, 4, 0.03)]
    public void BranchAndBoundOnAlphaCrownBoundsStillEqualsTheMilp(int width, int seed, double radius)
    {
        var dense = LipschitzReference.Mlp(new[] { 16, width, width, width, 10 }, seed);
        var net = LipschitzNetwork.FromDense(dense);
        var (lo, hi, _) = LipschitzReference.Box(16, radius, seed);
        var methods = new[] { LipschitzMethod.Crown, LipschitzMethod.Mip, LipschitzMethod.Bab };
        var plain = LipschitzAnalysis.Run(net, lo, hi, new LipschitzOptions(methods, TimeoutSeconds: 120));
        var alpha = LipschitzAnalysis.Run(net, lo, hi, new LipschitzOptions(methods, TimeoutSeconds: 120, ForwardOptimization: new OptimizationOptions()));
        Assert.That(alpha.UnstableNeurons, Is.LessThanOrEqualTo(plain.UnstableNeurons));
        var exact = plain.Methods.Single(m => m.Method == LipschitzMethod.Mip);
        Assert.That(exact.Exact.All(e => e), "the MILP should finish on a tiny network");
        Assert.That(alpha.Methods.Select(m => m.Method), Is.EqualTo(methods), "every requested method reports");
        foreach (var m in alpha.Methods)
        {
            if (m.Method == LipschitzMethod.Crown)
            {
                for (int j = 0; j < 10; j++) Assert.That(m.Upper[j], Is.GreaterThanOrEqualTo(exact.Upper[j] - 1e-6), $"CROWN output {j}");
                continue;
            }
            Assert.That(m.Exact.All(e => e), $"{m.Method} should finish");
            Assert.That(m.Upper, Is.EqualTo(exact.Upper).Within(1e-6), m.Method.ToString());
        }
    }

    [Test]
    public void MilpOptimumStaysAboveTheSampledValueWhenItsBoundsMoveByRoundingAmounts()
    {
        // The model on which SCIP's presolve reported a wrong optimum (ScipSettings.DisabledPresolvers).
        using var scope = NewDisposeScope();
        var net = LipschitzNetwork.FromDense(LipschitzReference.Mlp(new[] { 16, 8, 8, 8, 10 }, 5));
        var (lo, hi, _) = LipschitzReference.Box(16, 0.05, 5);
        var attained = SampledLowerBound.PerOutput(net, lo, hi)[3];
        var forward = ForwardBounds.Optimized(net, lo, hi, new OptimizationOptions(), Budget.Seconds(60));
        var slopes = Enumerable.Range(0, net.HiddenLayers).Select(k => net.ActivationOf(k).SlopeRange(forward[k])).ToArray();
        var jac = JacobianBounds.Compute(net, slopes, new[] { 3 }, JacobianMethod.Crown);
        static (double[] L, double[] U) Row(Verify.Graph.IntervalBounds b) => (b.Lower[0].data<double>().ToArray(), b.Upper[0].data<double>().ToArray());
        var fw = forward.Select(Row).ToArray();
        var hidden = jac.Hidden.Select(Row).ToArray();
        var rng = new Random(1);
        (double[] L, double[] U) Widen((double[] L, double[] U) b) =>
            (b.L.Select(v => v - rng.NextDouble() * 1e-10).ToArray(), b.U.Select(v => v + rng.NextDouble() * 1e-10).ToArray());
        for (int rep = 0; rep < 12; rep++)
        {
            var mip = LipschitzMip.Solve(net, lo, hi, fw.Select(Widen).ToArray(), hidden.Select(Widen).ToArray(), Row(jac.InputGradient), 3, 60);
            Assert.That(mip.Exact, Is.True);
            Assert.That(mip.Upper, Is.GreaterThanOrEqualTo(attained - 1e-7), $"solve {rep}: the optimum is below a value attained in the box");
        }
    }
}
