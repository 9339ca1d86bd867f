using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using Verify.Solvers;
using Verify.Tests.Solvers;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>
/// alpha-CROWN against CROWN (never looser, sometimes tighter) and against the exact minimum (never above it: a MIP
/// for piecewise-linear networks, sampled points otherwise); beta-CROWN with a split against the split sub-problem.
/// </summary>
public class AlphaCrownTests
{
    const int Batch = 2;
    const int Specs = 4;
    const int SampleCount = 3000;

    static readonly OptimizationOptions Alpha = new(Iterations: 40, StallIterations: 40);

    /// <summary>Networks: name and whether the MIP encodes it (ReLU / LeakyReLU only).</summary>
    static IEnumerable<TestCaseData> Networks()
    {
        yield return new TestCaseData("mlp 4-12-10-3", true);
        yield return new TestCaseData("mlp 5-16-12-8-2", true);
        yield return new TestCaseData("mlp 3-8-8-8-2", true);
        yield return new TestCaseData("conv", true);
        yield return new TestCaseData("leaky 4-12-8-3", true);
        yield return new TestCaseData("sshaped 4-10-8-3", false);
        yield return new TestCaseData("cnn-tanh", false);
    }

    static IEnumerable<string> ReluNetworks() => new[] { "mlp 4-12-10-3", "mlp 5-16-12-8-2", "mlp 3-8-8-8-2", "conv" };

    static ComputationGraph Network(string name) => name switch
    {
        "sshaped 4-10-8-3" => NonlinearNetworks.SShapedMlp(new[] { 4, 10, 8, 3 }, 21),
        "cnn-tanh" => NonlinearNetworks.SmallCnn(new Tanh(), 22),
        _ => SolverTestNetworks.Network(name, name.Length),
    };

    /// <summary>A network, a batch of boxes, their CROWN intermediate bounds and random specifications C, bias.</summary>
    sealed record Problem(ComputationGraph Graph, IntervalBounds Box, IntervalBounds[] Bounds, Tensor C, Tensor Bias);

    static Problem Make(string name, int batch = Batch)
    {
        var g = Network(name);
        int n = (int)g.InputSize, outputs = (int)g.OutputSize;
        var box = RandomNetworks.Box(batch, n, name.StartsWith("conv") || name.StartsWith("cnn") ? 0.3 : 0.5, 40 + name.Length);
        var bounds = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
        var gen = new Generator(60 + (ulong)name.Length);
        var c = torch.randn(new long[] { batch, Specs, outputs }, generator: gen, dtype: ScalarType.Float64);
        var bias = torch.randn(new long[] { batch, Specs }, generator: gen, dtype: ScalarType.Float64);
        return new Problem(g, box, bounds, c, bias);
    }

    static double[] Row(Tensor t) => t.reshape(-1).to_type(ScalarType.Float64).data<double>().ToArray();

    /// <summary>c·y + bias at samples of each box: [batch, samples, specs].</summary>
    static Tensor SampledValues(Problem p, int seed)
    {
        var xs = RandomNetworks.Samples(p.Box, SampleCount, seed);
        var ys = p.Graph.Forward(xs.reshape(new[] { (long)Batch * SampleCount }.Concat(p.Graph.InputShape).ToArray()))
            .reshape(Batch, SampleCount, -1);
        return ys.matmul(p.C.transpose(1, 2)) + p.Bias.unsqueeze(1);
    }

    [TestCaseSource(nameof(Networks))]
    public void AlphaCrownIsNoLooserThanCrownAndNoHigherThanTheExactMinimum(string name, bool mip)
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(name);
        var crown = BoundComputer.SpecLower(p.Graph, p.Bounds, p.C, p.Bias, BoundMethod.Crown);
        var alpha = OptimizedBound.SpecLower(p.Graph, p.Bounds, p.C, p.Bias, Alpha);
        var gap = alpha - crown + 1e-9 * (1 + crown.abs());
        Assert.That(gap.min().item<double>(), Is.GreaterThanOrEqualTo(0), "alpha-CROWN looser than CROWN");

        var sampled = SampledValues(p, 80).amin(1);
        Assert.That((sampled - alpha).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), "a sampled value lies below alpha-CROWN's bound");
        if (!mip) return;
        for (int b = 0; b < Batch; b++)
        {
            var lo = Row(p.Box.Lower[b]);
            var hi = Row(p.Box.Upper[b]);
            for (int s = 0; s < Specs; s++)
            {
                var exact = MipEncoding.Minimize(p.Graph, lo, hi, Row(p.C[b, s]), p.Bias[b, s].item<double>(), 30);
                Assert.That(exact.Optimal, Is.True, "the MIP should solve a network this small");
                Assert.That(alpha[b, s].item<double>(), Is.LessThanOrEqualTo(exact.Value + 1e-6), $"box {b}, spec {s}: above the exact minimum");
                Assert.That(exact.Value, Is.LessThanOrEqualTo(sampled[b, s].item<double>() + 1e-6), "the MIP minimum lies above a sampled value");
            }
        }
    }

    [Test]
    public void AlphaCrownIsStrictlyTighterThanCrownOnSomeNetworks()
    {
        double total = 0;
        int improved = 0;
        foreach (var data in Networks())
        {
            using var scope = torch.NewDisposeScope();
            var p = Make((string)data.Arguments[0]!);
            var crown = BoundComputer.SpecLower(p.Graph, p.Bounds, p.C, p.Bias, BoundMethod.Crown);
            var alpha = OptimizedBound.SpecLower(p.Graph, p.Bounds, p.C, p.Bias, Alpha);
            double gain = (alpha - crown).sum().item<double>();
            total += gain;
            if (gain > 1e-3) improved++;
        }
        Assert.That(total, Is.GreaterThan(0));
        Assert.That(improved, Is.GreaterThanOrEqualTo(2), "alpha-CROWN should improve the bound of several networks");
    }

    [TestCaseSource(nameof(ReluNetworks))]
    public void BetaCrownWithASplitStaysBelowTheSplitSubproblemsMinimum(string name)
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(name, batch: 1);
        var (relu, pre, element) = FirstUnstable(p);
        var xs = RandomNetworks.Samples(p.Box, SampleCount, 90);
        var values = p.Graph.ForwardAll(xs.reshape(new[] { (long)SampleCount }.Concat(p.Graph.InputShape).ToArray()));
        var z = values[pre].reshape(SampleCount, -1)[.., element];
        var sampled = values[p.Graph.OutputIndex].reshape(SampleCount, -1).matmul(p.C[0].T) + p.Bias[0];
        var lo = Row(p.Box.Lower[0]);
        var hi = Row(p.Box.Upper[0]);
        foreach (int sign in new[] { 1, -1 })
        {
            var signs = torch.zeros(ComputationGraph.Batched(1, p.Graph.Nodes[pre].Shape), dtype: ScalarType.Float64);
            signs.view(-1)[element] = sign;
            var bounds = p.Bounds.ToArray();
            var ib = bounds[pre];
            bounds[pre] = new IntervalBounds(torch.where(signs > 0, ib.Lower.clamp_min(0), ib.Lower), torch.where(signs < 0, ib.Upper.clamp_max(0), ib.Upper));
            var splits = new Dictionary<int, Tensor> { [relu] = signs };
            var beta = OptimizedBound.SpecLower(p.Graph, bounds, p.C, p.Bias, Alpha, splits);
            var inside = sign > 0 ? z >= 0 : z <= 0;
            Assert.That(inside.any().item<bool>(), Is.True, "some sample should lie on each side of an unstable neuron");
            var sampledMin = sampled[inside].reshape(-1, Specs).amin(0);
            for (int s = 0; s < Specs; s++)
            {
                var exact = SplitMip.Minimize(p.Graph, lo, hi, Row(p.C[0, s]), p.Bias[0, s].item<double>(), pre, element, sign);
                Assert.That(exact.Optimal, Is.True);
                double bound = beta[0, s].item<double>();
                Assert.That(bound, Is.LessThanOrEqualTo(exact.Value + 1e-6), $"sign {sign}, spec {s}: above the split sub-problem's minimum");
                Assert.That(bound, Is.LessThanOrEqualTo(sampledMin[s].item<double>() + 1e-9), $"sign {sign}, spec {s}: above a sampled value");
            }
        }
    }

    /// <summary>The first ReLU with an unstable input neuron in box 0: (ReLU node, its input node, flat element).</summary>
    static (int Relu, int Pre, int Element) FirstUnstable(Problem p)
    {
        foreach (var n in p.Graph.Nodes.Where(n => n.Op is Relu))
        {
            var ib = p.Bounds[n.Inputs[0]];
            var unstable = ((ib.Lower < 0).logical_and(ib.Upper > 0))[0].reshape(-1);
            if (unstable.any().item<bool>())
                return (n.Index, n.Inputs[0], (int)unstable.nonzero()[0, 0].item<long>());
        }
        Assert.Fail("no unstable neuron");
        return default;
    }
}
