using Verify.Branching;
using Verify.Graph;
using Verify.Operators;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Branching;

/// <summary>
/// Branch and bound splits the inputs of max pools: the split choice is inside each interval and only where a window is
/// not exact, and on random small pooling networks (with and without ReLUs) the verdicts agree with sampling and with
/// input splitting, which is complete for so few inputs.
/// </summary>
public class MaxPoolSplitTests
{
    [Test]
    public void SplitChoiceIsInsideTheIntervalAndOnlyWhereAWindowIsInexact()
    {
        var pool = new MaxPool(new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 0, 0, 0, 0 });
        long[] shape = { 1, 1, 3, 3 };
        var gen = new Generator(5);
        var centre = torch.randn(new long[] { 64, 1, 1, 3, 3 }, generator: gen, dtype: ScalarType.Float64);
        var radius = torch.rand(new long[] { 64, 1, 1, 3, 3 }, generator: gen, dtype: ScalarType.Float64);
        var bounds = new IntervalBounds(centre - radius, centre + radius);
        var weight = torch.ones(64, 4, dtype: ScalarType.Float64);
        var (score, point) = pool.SplitChoice(bounds, shape, weight);
        var lo = bounds.Lower.reshape(64, 9);
        var hi = bounds.Upper.reshape(64, 9);
        var chosen = score >= 0;
        Assert.That(chosen.any().item<bool>(), "random boxes leave some windows inexact");
        Assert.That((point > lo).logical_and(point < hi).logical_or(chosen.logical_not()).all().item<bool>(), "points strictly inside");
        // A window is exact when its largest lower bound is at least every other upper bound: then no element of it
        // may be chosen on its behalf. Checked here window by window on a box where every window is exact.
        var separated = torch.arange(9, dtype: ScalarType.Float64).reshape(1, 1, 1, 3, 3) * 10;
        var exact = new IntervalBounds(separated - 1, separated + 1);
        var (exactScore, _) = pool.SplitChoice(exact, shape, torch.ones(1, 4, dtype: ScalarType.Float64));
        Assert.That((exactScore < 0).all().item<bool>(), "no split where every window is exact");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void RandomPoolingNetworksAgreeWithInputSplittingAndSampling(bool relu)
    {
        int networks = 60, decided = 0, searched = 0;
        for (int seed = 0; seed < networks; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var rng = new Random(500 + seed);
            var g = PoolingNetwork(seed, relu);
            var centre = Enumerable.Range(0, 9).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double radius = 0.1 + 0.4 * rng.NextDouble();
            var lo = centre.Select(c => c - radius).ToArray();
            var hi = centre.Select(c => c + radius).ToArray();
            var (min, max) = SmoothNetworks.SampledRange(g, lo, hi, 4000, seed);
            bool sampledViolation = seed % 2 == 0;
            double threshold = min + (sampledViolation ? 1 : -1) * (0.02 + 0.2 * rng.NextDouble()) * (max - min);
            var spec = SmoothNetworks.Margin(lo, hi, 3, threshold);
            var confirm = SmoothNetworks.ConfirmByForward(g, spec);
            var (root, open, lower) = SmoothNetworks.Root(g, spec);
            if (open.Length == 0)
            {
                Assert.That(sampledViolation, Is.False, $"seed {seed}: refuted at the root, but a sampled point violates it");
                decided++;
                continue;
            }
            searched++;
            var result = IntervalSplitBab.Run(g, spec, root, open, new BabOptions(), confirm, Budget.Seconds(2), lower);
            var what = $"seed {seed} (relu {relu}), threshold {threshold} (sampled min {min})";
            if (result.Status == BabStatus.Proved)
            {
                Assert.That(sampledViolation, Is.False, $"{what}: proved, but a sampled point violates it");
                var reference = InputSplitBab.Run(g, spec, new[] { 0L }, new BabOptions(), confirm, Budget.Seconds(1));
                Assert.That(reference.Status, Is.Not.EqualTo(BabStatus.Violated), $"{what}: proved, input splitting refutes");
            }
            if (result.Status == BabStatus.Violated)
                Assert.That(confirm(0, result.Counterexample!.Input), Is.Not.Null, $"{what}: the counterexample does not violate");
            if (result.Status is BabStatus.Proved or BabStatus.Violated) decided++;
        }
        TestContext.Out.WriteLine($"{decided}/{networks} decided ({searched} searched)");
        Assert.That(searched, Is.GreaterThanOrEqualTo(networks / 4), "enough properties need the search");
        Assert.That(decided, Is.GreaterThanOrEqualTo(networks * 8 / 10), "splitting pool inputs decides most of them");
    }

    /// <summary>
    /// [1, 1, side, side] → Conv(1→3, 2×2) → (ReLU) → MaxPool(2×2, stride 1) → Reshape → Linear(→3, weights scaled by
    /// <paramref name="linearScale"/>): the max pool is the only nonlinearity without the ReLU.
    /// </summary>
    internal static ComputationGraph PoolingNetwork(int seed, bool relu, int side = 3, double linearScale = 1, int seedOffset = 1)
    {
        var gen = new Generator((ulong)(seed + seedOffset));
        Tensor R(params long[] shape) => torch.randn(shape, generator: gen, dtype: ScalarType.Float64);
        var input = new long[] { 1, 1, side, side };
        var nodes = new List<Node> { new(0, "x", new InputOp(input), Array.Empty<int>(), input) };
        void Push(Operator op) => nodes.Add(new Node(nodes.Count, $"n{nodes.Count}", op, new[] { nodes.Count - 1 },
            op.InferShape(new[] { nodes[^1].Shape })));
        Push(new Conv(R(3, 1, 2, 2), R(3) * 0.2, new long[] { 0, 0, 0, 0 }, new long[] { 1, 1 }, new long[] { 1, 1 }, 1));
        if (relu) Push(new Relu());
        Push(new MaxPool(new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 0, 0, 0, 0 }));
        long pooled = 3L * (side - 2) * (side - 2);
        Push(new Reshape(new long[] { 1, pooled }));
        Push(new Linear(R(3, pooled) * linearScale, R(3) * 0.2));
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }
}
