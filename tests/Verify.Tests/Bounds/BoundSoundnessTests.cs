using Verify.Bounds;
using Verify.Graph;
using Verify.Solvers;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

public class BoundSoundnessTests
{
    static readonly int[][] Shapes = { new[] { 3, 8, 2 }, new[] { 4, 10, 10, 3 }, new[] { 5, 16, 12, 8, 4 } };

    [TestCase(BoundMethod.Ibp)]
    [TestCase(BoundMethod.Crown)]
    public void EveryNodeBoundContainsSampledValues(BoundMethod method)
    {
        for (int seed = 0; seed < 6; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var widths = Shapes[seed % Shapes.Length];
            var g = RandomNetworks.Mlp(widths, seed);
            var box = RandomNetworks.Box(4, widths[0], 0.5, seed + 100);
            var bounds = BoundComputer.Intermediate(g, box, new BoundOptions(method));
            var xs = RandomNetworks.Samples(box, 500, seed + 200);
            var values = g.ForwardAll(xs.reshape(-1, widths[0]));
            for (int i = 0; i <= g.OutputIndex; i++)
            {
                var v = values[i].reshape(4, 500, -1);
                var lo = bounds[i].Lower.reshape(4, 1, -1);
                var hi = bounds[i].Upper.reshape(4, 1, -1);
                Assert.That((v - lo).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"node {i} seed {seed}");
                Assert.That((hi - v).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"node {i} seed {seed}");
            }
        }
    }

    [Test]
    public void CrownIsExactOnAffineNetworks()
    {
        using var scope = torch.NewDisposeScope();
        var g = RandomNetworks.Mlp(new[] { 6, 9, 7, 3 }, 7, relu: false);
        var box = RandomNetworks.Box(2, 6, 0.3, 8);
        var bounds = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
        var outs = BoundComputer.OutputBounds(g, bounds, BoundMethod.Crown);
        // Independent computation: compose the affine layers, then min/max over the box per row.
        var w = torch.eye(6, dtype: ScalarType.Float64);
        var b = torch.zeros(6, dtype: ScalarType.Float64);
        foreach (var n in g.Nodes.Skip(1))
        {
            var lin = (Verify.Operators.Linear)n.Op;
            w = lin.Weight.matmul(w);
            b = lin.Weight.matmul(b) + lin.Bias!;
        }
        var centre = box.Center.matmul(w.t()) + b;
        var radius = box.Radius.matmul(w.abs().t());
        Assert.That((outs.Lower - (centre - radius)).abs().max().item<double>(), Is.LessThan(1e-9));
        Assert.That((outs.Upper - (centre + radius)).abs().max().item<double>(), Is.LessThan(1e-9));
    }

    [Test]
    public void IbpAndCrownNeverCrossTheMipOptimum()
    {
        int checkedCases = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var widths = new[] { 3, 8, 6, 2 };
            var g = RandomNetworks.Mlp(widths, 1000 + seed, weightScale: 1.5);
            var box = RandomNetworks.Box(1, 3, 0.4, 2000 + seed);
            var gen = new Random(seed);
            var c = new[] { gen.NextDouble() * 2 - 1, gen.NextDouble() * 2 - 1 };
            var lo = box.Lower.reshape(-1).data<double>().ToArray();
            var hi = box.Upper.reshape(-1).data<double>().ToArray();
            var mip = MipEncoding.Minimize(g, lo, hi, c, 0.25, timeLimitSeconds: 20);
            Assert.That(mip.Optimal, Is.True, "MIP should solve a network this small");
            // The MIP's point really attains its value (the encoding is exact, not just a bound).
            var y = g.Forward(torch.tensor(mip.Input!, dtype: ScalarType.Float64).unsqueeze(0)).reshape(-1).data<double>().ToArray();
            Assert.That(c[0] * y[0] + c[1] * y[1] + 0.25, Is.EqualTo(mip.Value).Within(1e-6));
            var ct = torch.tensor(c, dtype: ScalarType.Float64).reshape(1, 1, 2);
            var bias = torch.full(1, 1, 0.25, dtype: ScalarType.Float64);
            foreach (var m in new[] { BoundMethod.Ibp, BoundMethod.Crown })
            {
                var bounds = BoundComputer.Intermediate(g, box, new BoundOptions(m));
                var lb = BoundComputer.SpecLower(g, bounds, ct, bias, m).item<double>();
                Assert.That(lb, Is.LessThanOrEqualTo(mip.Value + 1e-7), $"{m} crossed the exact minimum (seed {seed})");
            }
            checkedCases++;
        }
        Assert.That(checkedCases, Is.EqualTo(12));
    }
}
