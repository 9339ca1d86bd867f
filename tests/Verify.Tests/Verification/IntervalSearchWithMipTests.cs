using Verify.Branching;
using Verify.Graph;
using Verify.Tests.Branching;
using Verify.Spec;
using Verify.Tests.Support;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Verification;

/// <summary>
/// Piecewise-linear networks with max pools and more inputs than input splitting takes: after a first slice (here empty)
/// of interval splitting the exact MIP decides; every proof agrees with sampling and every counterexample with a
/// forward pass.
/// </summary>
public class IntervalSearchWithMipTests
{
    [Test]
    public void TheMipAfterTheFirstSliceDecidesPoolingNetworksSoundly()
    {
        int networks = 10, decided = 0, byMip = 0;
        for (int seed = 0; seed < networks; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var g = MaxPoolSplitTests.PoolingNetwork(seed, relu: true, side: 5, linearScale: 0.3, seedOffset: 11);
            var rng = new Random(300 + seed);
            var centre = Enumerable.Range(0, 25).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double radius = 0.1 + 0.3 * rng.NextDouble();
            var lo = centre.Select(c => c - radius).ToArray();
            var hi = centre.Select(c => c + radius).ToArray();
            var (min, max) = SmoothNetworks.SampledRange(g, lo, hi, 4000, seed);
            bool sampledViolation = seed % 2 == 0;
            double threshold = min + (sampledViolation ? 1 : -1) * (0.02 + 0.2 * rng.NextDouble()) * (max - min);
            var text = VnnlibText.Of(lo, hi, 3, new[] { new[] { new VnnlibText.Atom(0, 1, false, threshold) } });
            var property = VnnlibReader.Parse(text, "test", 25, 3);
            var spec = SpecBatch.From(property, CPU, ScalarType.Float64);
            var confirm = SmoothNetworks.ConfirmByForward(g, spec);
            var (root, open, lower) = SmoothNetworks.Root(g, spec);
            if (open.Length == 0) continue;
            // An empty first slice: the search stops before its first step and everything open is left to the MIP.
            var options = VerifierOptions.Default with { TimeoutSeconds = 10, MipRefine = MipRefinePolicy.Automatic with { FirstSliceShare = 0 } };
            var result = IntervalSearchWithMip.Run(g, spec, property, root, open, lower, options, confirm, Budget.Seconds(10));
            var what = $"seed {seed}, threshold {threshold} (sampled min {min})";
            if (result.Status == BabStatus.Proved) Assert.That(sampledViolation, Is.False, $"{what}: proved, but a sampled point violates it");
            if (result.Status == BabStatus.Violated)
                Assert.That(confirm(0, result.Counterexample!.Input), Is.Not.Null, $"{what}: the counterexample does not violate");
            if (result.Status is BabStatus.Proved or BabStatus.Violated) decided++;
            if (result.Reason == "exact MIP") byMip++;
        }
        TestContext.Out.WriteLine($"{decided} decided, {byMip} of them by the MIP stage");
        Assert.That(byMip, Is.EqualTo(decided), "with an empty first slice only the MIP decides");
        Assert.That(decided, Is.GreaterThanOrEqualTo(networks / 2), "the MIP decides such small networks");
    }
}
