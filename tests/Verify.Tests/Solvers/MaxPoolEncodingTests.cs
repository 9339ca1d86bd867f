using Verify.Bounds;
using Verify.Graph;
using Verify.Solvers;
using Verify.Tests.Branching;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Solvers;

/// <summary>
/// Max pools in the solver encodings: on random small pooling networks (with and without ReLUs) the exact MIP's minimum
/// of an output margin is attained at its own point by the forward pass, lies at or below every sampled value, and at
/// or above the LP relaxation's bound, which lies at or above CROWN's.
/// </summary>
public class MaxPoolEncodingTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void TheMipMinimumOfPoolingNetworksIsAttainedAndBelowEverySample(bool relu)
    {
        int networks = 12, gapClosed = 0;
        for (int seed = 0; seed < networks; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var g = MaxPoolSplitTests.PoolingNetwork(seed, relu);
            Assert.That(NetworkEncoder.Supports(g), Is.True);
            var rng = new Random(700 + seed);
            var lo = Enumerable.Range(0, 9).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double radius = 0.2 + 0.6 * rng.NextDouble();
            var hi = lo.Select(v => v + 2 * radius).ToArray();
            var c = new[] { 1.0, -1.0, 0.0 };
            var mip = MipEncoding.Minimize(g, lo, hi, c, 0, 60);
            Assert.That(mip.Optimal, Is.True, $"seed {seed}: SCIP should solve so small a MIP");
            // The point reproduces the optimum in our float64 forward pass: the encoding is exact there.
            var y = g.Forward(torch.tensor(mip.Input!, dtype: ScalarType.Float64).reshape(1, 1, 1, 3, 3)).reshape(-1);
            double atPoint = y[0].item<double>() - y[1].item<double>();
            Assert.That(atPoint, Is.EqualTo(mip.Value).Within(1e-6 * (1 + Math.Abs(mip.Value))), $"seed {seed}: the MIP's point");
            var box = new IntervalBounds(torch.tensor(lo, dtype: ScalarType.Float64).unsqueeze(0), torch.tensor(hi, dtype: ScalarType.Float64).unsqueeze(0));
            var xs = RandomNetworks.Samples(box, 5000, seed)[0].reshape(5000, 1, 1, 3, 3);
            var ys = g.Forward(xs).reshape(5000, 3);
            double sampled = (ys[.., 0] - ys[.., 1]).min().item<double>();
            Assert.That(mip.Value, Is.LessThanOrEqualTo(sampled + 1e-9), $"seed {seed}: the MIP minimum is above a sample");
            // The relaxations: CROWN <= LP <= MIP.
            var bounds = BoundComputer.Intermediate(g, new IntervalBounds(box.Lower.reshape(1, 1, 1, 3, 3), box.Upper.reshape(1, 1, 1, 3, 3)), new BoundOptions());
            double crown = BoundComputer.SpecLower(g, bounds, torch.tensor(c, dtype: ScalarType.Float64).reshape(1, 1, 3), torch.zeros(1, 1, dtype: ScalarType.Float64), BoundMethod.Crown).item<double>();
            var (lp, lpOptimal) = LpRelaxation.Minimize(g, lo, hi, bounds, c, 0, 30);
            Assert.That(lpOptimal, Is.True, $"seed {seed}: the LP should solve");
            Assert.That(lp, Is.LessThanOrEqualTo(mip.Value + 1e-6 * (1 + Math.Abs(mip.Value))), $"seed {seed}: the LP bound is above the MIP minimum");
            if (mip.Value - crown > 1e-6 && lp > crown + 1e-6) gapClosed++;
            Assert.That(crown, Is.LessThanOrEqualTo(mip.Value + 1e-9), $"seed {seed}: CROWN above the MIP minimum");
        }
        TestContext.Out.WriteLine($"the LP closed part of CROWN's gap on {gapClosed} of {networks} networks (relu {relu})");
    }
}
