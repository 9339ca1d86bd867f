using Verify.Bounds;
using Verify.Graph;
using Verify.Tests.Branching;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>
/// alpha-CROWN optimises the max pool's lower line (a convex combination of each window's elements): on random small
/// pooling networks its bound is never below CROWN's, never above the sampled minimum, and above CROWN's on some.
/// </summary>
public class MaxPoolAlphaTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void OptimisedPoolWeightsTightenCrownAndStaySound(bool relu)
    {
        int networks = 40, tighter = 0;
        for (int seed = 0; seed < networks; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var g = MaxPoolSplitTests.PoolingNetwork(seed, relu);
            var rng = new Random(900 + seed);
            var centre = torch.tensor(Enumerable.Range(0, 9).Select(_ => rng.NextDouble() * 2 - 1).ToArray(), dtype: ScalarType.Float64).reshape(1, 1, 1, 3, 3);
            double radius = 0.2 + 0.6 * rng.NextDouble();
            var box = new IntervalBounds(centre - radius, centre + radius);
            var bounds = BoundComputer.Intermediate(g, box, new BoundOptions());
            // y0 − y1 and y2 − y0: two specifications.
            var c = torch.tensor(new double[] { 1, -1, 0, -1, 0, 1 }, dtype: ScalarType.Float64).reshape(1, 2, 3);
            var bias = torch.zeros(1, 2, dtype: ScalarType.Float64);
            var crown = BoundComputer.SpecLower(g, bounds, c, bias, BoundMethod.Crown);
            var alpha = OptimizedBound.SpecLower(g, bounds, c, bias, new OptimizationOptions(Iterations: 40, StallIterations: 40));
            var flat = new IntervalBounds(box.Lower.reshape(1, 9), box.Upper.reshape(1, 9));
            var xs = RandomNetworks.Samples(flat, 4000, seed)[0].reshape(4000, 1, 1, 3, 3);
            var y = g.Forward(xs).reshape(4000, 3);
            var sampled = y.matmul(c[0].t()).min(0).values;
            for (int s = 0; s < 2; s++)
            {
                double cr = crown[0, s].item<double>(), al = alpha[0, s].item<double>(), min = sampled[s].item<double>();
                Assert.That(al, Is.GreaterThanOrEqualTo(cr - 1e-9), $"seed {seed} spec {s}: alpha below CROWN");
                Assert.That(al, Is.LessThanOrEqualTo(min + 1e-9), $"seed {seed} spec {s}: alpha {al} above the sampled minimum {min}");
                if (al > cr + 1e-6 * (1 + Math.Abs(cr))) tighter++;
            }
        }
        TestContext.Out.WriteLine($"{tighter} of {2 * networks} bounds tightened by the pools' alphas (relu {relu})");
        Assert.That(tighter, Is.GreaterThan(0), "optimising the pools' lower lines must tighten some bound");
    }
}
