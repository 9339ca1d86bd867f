using System.Diagnostics;
using Verify.Branching;
using Verify.Operators;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Branching;

/// <summary>
/// Branch and bound by splitting the pre-activation intervals of sigmoid/tanh (and ReLU) neurons: its verdicts agree
/// with input splitting (complete for few inputs) and with sampling on random small networks, and it never proves a
/// property that a sampled point violates, however deep it splits.
/// </summary>
public class IntervalSplitBabTests
{
    static BabResult Search(Verify.Graph.ComputationGraph g, Verify.Verification.SpecBatch spec, double seconds,
        Func<int, double[], Verify.Verification.Counterexample?> confirm, BabOptions? options = null)
    {
        var (root, open, lower) = SmoothNetworks.Root(g, spec);
        if (open.Length == 0) return new BabResult(BabStatus.Proved, null, 0, 0, "root");
        return IntervalSplitBab.Run(g, spec, root, open, options ?? new BabOptions(), confirm, Budget.Seconds(seconds), lower);
    }

    [Test]
    public void RandomSmoothNetworksAgreeWithInputSplittingAndSampling()
    {
        int networks = 200, decided = 0, openAtRoot = 0, referenceAgrees = 0;
        var tally = new Dictionary<(bool, BabStatus), int>();
        var total = Stopwatch.StartNew();
        for (int seed = 0; seed < networks; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var rng = new Random(1000 + seed);
            int inputs = rng.Next(2, 7), layers = rng.Next(2, 4);
            var widths = new[] { inputs }.Concat(Enumerable.Range(0, layers).Select(_ => rng.Next(4, 17))).Append(3).ToArray();
            var g = SmoothNetworks.Mlp(widths, seed, mixed: seed % 4 == 3);
            var centre = Enumerable.Range(0, inputs).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double radius = 0.05 + rng.NextDouble() * 0.45;
            var lo = centre.Select(c => c - radius).ToArray();
            var hi = centre.Select(c => c + radius).ToArray();
            var (min, max) = SmoothNetworks.SampledRange(g, lo, hi, 4000, seed);
            double spread = max - min;
            // Thresholds on both sides of the sampled minimum: above it the property is violated (by a sampled point).
            bool sampledViolation = seed % 2 == 0;
            double threshold = min + (sampledViolation ? 1 : -1) * (0.02 + 0.3 * rng.NextDouble()) * spread;
            var spec = SmoothNetworks.Margin(lo, hi, 3, threshold);
            var confirm = SmoothNetworks.ConfirmByForward(g, spec);
            var result = Search(g, spec, 0.1, confirm);
            if (result.Reason != "root") openAtRoot++;
            var what = $"seed {seed}, widths {string.Join("-", widths)}, radius {radius:F3}, threshold {threshold} (sampled min {min})";
            tally[(sampledViolation, result.Status)] = tally.GetValueOrDefault((sampledViolation, result.Status)) + 1;
            if (result.Status == BabStatus.Proved)
                Assert.That(sampledViolation, Is.False, $"{what}: proved, but a sampled point violates it");
            if (result.Status is BabStatus.Proved or BabStatus.Violated) decided++;
            if (result.Status == BabStatus.Violated)
                Assert.That(confirm(0, result.Counterexample!.Input), Is.Not.Null, $"{what}: the counterexample does not violate");
            if (result.Status != BabStatus.Proved || result.Reason == "root") continue;
            // A proof is checked against input splitting, which is complete for so few inputs.
            var reference = InputSplitBab.Run(g, spec, new[] { 0L }, new BabOptions(), confirm, Budget.Seconds(0.3));
            if (reference.Status == BabStatus.Proved) referenceAgrees++;
            Assert.That(reference.Status, Is.Not.EqualTo(BabStatus.Violated), $"{what}: proved, input splitting refutes");
        }
        TestContext.Out.WriteLine(string.Join(", ", tally.Select(kv => $"{(kv.Key.Item1 ? "violated" : "below min")}/{kv.Key.Item2}: {kv.Value}")));
        TestContext.Out.WriteLine($"{decided}/{networks} decided by interval splitting ({openAtRoot} open at the root); input splitting also proves {referenceAgrees} of the searched proofs; {total.Elapsed.TotalSeconds:F1} s");
        Assert.That(openAtRoot, Is.GreaterThanOrEqualTo(networks / 2), "most properties must need the search");
        Assert.That(decided, Is.GreaterThanOrEqualTo(networks / 2), "interval splitting decides most small networks within 0.1 s");
    }

    /// <summary>
    /// A property violated by a sampled point, searched with no way to confirm a counterexample: the search splits until
    /// more than 24 domains are pending, and every child's bound must stay below the sampled minimum, so it never proves it.
    /// </summary>
    [Test]
    public void DeepSplitsNeverProveAPropertyASampledPointViolates()
    {
        int searched = 0;
        long domains = 0;
        for (int seed = 0; seed < 4; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var g = SmoothNetworks.Mlp(new[] { 3, 10, 10, 3 }, 500 + seed, mixed: seed % 3 == 2);
            var lo = new[] { -0.4, -0.2, 0.1 };
            var hi = new[] { 0.3, 0.4, 0.6 };
            var (min, max) = SmoothNetworks.SampledRange(g, lo, hi, 20000, seed);
            // Barely above the sampled minimum: only a tiny part of the box is unsafe.
            var spec = SmoothNetworks.Margin(lo, hi, 3, min + 1e-4 * (max - min));
            // A cap on pending domains instead of a short time limit: the same depth however busy the machine is.
            var result = Search(g, spec, 30, (_, _) => null, new BabOptions(MaxDomains: 24));
            Assert.That(result.Status, Is.Not.EqualTo(BabStatus.Proved), $"seed {seed}: proved, but a sampled point violates it");
            if (result.Reason != "root") searched++;
            domains += result.Domains;
        }
        TestContext.Out.WriteLine($"{searched} searched, {domains} domains bounded");
        Assert.That(searched, Is.EqualTo(4), "CROWN alone must not decide these");
        Assert.That(domains, Is.GreaterThan(4 * 24), "the searches must split deep");
    }

    /// <summary>
    /// The split point lies strictly inside the interval, the children's relaxations contain f at sampled points of
    /// their intervals, and the minimum-area point's summed child area (integrated numerically) is at most the midpoint's.
    /// </summary>
    [TestCase("sigmoid")]
    [TestCase("tanh")]
    public void SplitPointsAreInsideSoundAndNoWorseThanTheMidpoint(string name)
    {
        ActivationOperator op = name == "sigmoid" ? new Sigmoid() : new Tanh();
        var gen = new Generator(7);
        var l = torch.randn(400, generator: gen, dtype: ScalarType.Float64) * 4;
        var u = l + torch.rand(400, generator: gen, dtype: ScalarType.Float64) * 8 + 1e-3;
        var p = SplitPoint.Choose(op, l, u, SplitPointRule.MinArea);
        Assert.That((p > l).logical_and(p < u).all().item<bool>(), Is.True, "split points strictly inside");
        double Integrated(Tensor a, Tensor b)
        {
            var r = op.Relax(a, b);
            var t = torch.linspace(0, 1, 2001, dtype: ScalarType.Float64);
            var x = a.unsqueeze(1) + t * (b - a).unsqueeze(1);
            var lower = r.LowerSlope.unsqueeze(1) * x + r.LowerIntercept.unsqueeze(1);
            var upper = r.UpperSlope.unsqueeze(1) * x + r.UpperIntercept.unsqueeze(1);
            var f = op.Apply(x);
            Assert.That((lower <= f).all().item<bool>() && (f <= upper).all().item<bool>(), Is.True, "child relaxation contains f");
            return ((upper - lower).mean(new long[] { 1 }) * (b - a)).sum().item<double>();
        }
        var mid = SplitPoint.Choose(op, l, u, SplitPointRule.Midpoint);
        double area = Integrated(l, p) + Integrated(p, u), midArea = Integrated(l, mid) + Integrated(mid, u);
        TestContext.Out.WriteLine($"{name}: summed child area {area:G4} (min-area points) vs {midArea:G4} (midpoints), parent {Integrated(l, u):G4}");
        Assert.That(area, Is.LessThanOrEqualTo(midArea * (1 + 1e-3)));
    }

    /// <summary>
    /// A NaN weight (in the first layer: NaN intermediate bounds; in the last: a NaN final bound) gives NaN bounds in the
    /// first step: the search ends unknown, never proved.
    /// </summary>
    [TestCase(0)]
    [TestCase(2)]
    public void NanBoundsEndTheSearchUnknown(int layer)
    {
        var g = SmoothNetworks.Mlp(new[] { 3, 8, 8, 3 }, 9);
        var last = g.Nodes.Select(n => n.Op).OfType<Verify.Operators.Linear>().ElementAt(layer);
        var lo = new[] { -0.5, -0.5, -0.5 };
        var hi = new[] { 0.5, 0.5, 0.5 };
        var spec = SmoothNetworks.Margin(lo, hi, 3, -1000);
        var root = Verify.Bounds.BoundComputer.Intermediate(g, new Verify.Graph.IntervalBounds(spec.Lower, spec.Upper), new Verify.Bounds.BoundOptions());
        last.Weight[0, 2] = double.NaN;
        var result = IntervalSplitBab.Run(g, spec, root, new[] { 0L }, new BabOptions(), (_, _) => null, Budget.Seconds(5));
        Assert.That(result.Status, Is.EqualTo(BabStatus.Unknown), result.Reason);
        Assert.That(result.Reason, Does.Contain("NaN"));
    }
}
