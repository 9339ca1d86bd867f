using Verify.Lipschitz;
using static TorchSharp.torch;

namespace Verify.Tests.Lipschitz;

public class PatternLpTests
{
    /// <summary>Random patterns over the root bounds: stable neurons keep their sign, unstable ones get −1, 0 or +1.</summary>
    static List<sbyte[][]> Patterns((double[] L, double[] U)[] forward, int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => forward.Select(f => f.L.Select((l, i) =>
            l >= 0 ? (sbyte)1 : f.U[i] <= 0 ? (sbyte)-1 : (sbyte)(rng.Next(3) - 1)).ToArray()).ToArray()).ToList();
    }

    static (double[] L, double[] U)[] Root(LipschitzNetwork net, double[] lo, double[] hi)
    {
        using var scope = NewDisposeScope();
        return ForwardBounds.Compute(net, lo, hi).Select(b => (b.Lower[0].data<double>().ToArray(), b.Upper[0].data<double>().ToArray())).ToArray();
    }

    [TestCase(1)]
    [TestCase(2)]
    public void OneModelReusedForManyPatternsDecidesAsAFreshModelPerPattern(int seed)
    {
        var dense = LipschitzReference.Mlp(new[] { 3, 6, 6, 2 }, seed);
        var net = LipschitzNetwork.FromDense(dense);
        var (lo, hi, _) = LipschitzReference.Box(3, 0.4, seed);
        var forward = Root(net, lo, hi);
        var patterns = Patterns(forward, 60, seed);
        using var lp = new PatternLp(net, lo, hi);
        var reused = patterns.Select(p => lp.Check(forward, p)).ToList();
        var fresh = patterns.Select(p => { using var f = new PatternLp(net, lo, hi); return f.Check(forward, p); }).ToList();
        Assert.That(reused, Is.EqualTo(fresh));
        Assert.That(reused.Distinct().Count(), Is.GreaterThanOrEqualTo(2), "the patterns should not all get one verdict");
    }

    [Test]
    public void PatternSeenAtASampledPointIsNeverUnreachable()
    {
        var dense = LipschitzReference.Mlp(new[] { 3, 6, 6, 2 }, 4);
        var net = LipschitzNetwork.FromDense(dense);
        var (lo, hi, _) = LipschitzReference.Box(3, 0.4, 4);
        var forward = Root(net, lo, hi);
        var rng = new Random(9);
        using var lp = new PatternLp(net, lo, hi);
        int interior = 0;
        for (int s = 0; s < 200; s++)
        {
            var x = lo.Select((l, i) => l + (hi[i] - l) * rng.NextDouble()).ToArray();
            var pattern = new sbyte[dense.Layers.Count - 1][];
            var a = x;
            for (int k = 0; k < pattern.Length; k++)
            {
                var layer = dense.Layers[k];
                var z = Enumerable.Range(0, layer.Outputs).Select(r => layer.Bias[r] + Enumerable.Range(0, a.Length).Sum(p => layer.Weight[r, p] * a[p])).ToArray();
                pattern[k] = z.Select(v => v > 0 ? (sbyte)1 : (sbyte)-1).ToArray();
                a = z.Select(v => Math.Max(0, v)).ToArray();
            }
            var reach = lp.Check(forward, pattern);
            Assert.That(reach, Is.Not.EqualTo(PatternReach.Unreachable), $"sample {s}");
            if (reach == PatternReach.Interior) interior++;
        }
        Assert.That(interior, Is.GreaterThan(150), "almost every sampled pattern holds on an open set");
    }
}
