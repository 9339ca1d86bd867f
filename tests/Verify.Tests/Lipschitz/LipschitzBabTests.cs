using Verify.Lipschitz;

namespace Verify.Tests.Lipschitz;

public class LipschitzBabTests
{
    [TestCase(1)]
    [TestCase(2)]
    public void LeafOnlyAndInternalLpFilteringReachTheSameExactValues(int seed)
    {
        var net = LipschitzNetwork.FromDense(LipschitzReference.Mlp(new[] { 16, 10, 10, 10 }, seed));
        var (lo, hi, _) = LipschitzReference.Box(16, 0.04, seed);
        var outputs = Enumerable.Range(0, 10).ToArray();
        var sampled = SampledLowerBound.PerOutput(net, lo, hi);
        var leafOnly = LipschitzBab.Run(net, lo, hi, outputs, sampled, new LipschitzBabOptions(60, LpFilterDepth: 0));
        var filtered = LipschitzBab.Run(net, lo, hi, outputs, sampled, new LipschitzBabOptions(60, LpFilterDepth: 1));
        Assert.That(leafOnly.All(r => r.Complete) && filtered.All(r => r.Complete), Is.True);
        Assert.That(filtered.Select(r => r.Upper), Is.EqualTo(leafOnly.Select(r => r.Upper)).Within(1e-9));
        for (int j = 0; j < 10; j++) Assert.That(sampled[j], Is.LessThanOrEqualTo(filtered[j].Upper + 1e-9));
        Assert.That(filtered[0].Domains, Is.LessThanOrEqualTo(leafOnly[0].Domains));
    }

    [Test]
    public void OverallOnlyModeKeepsTheExactOverallConstant()
    {
        var net = LipschitzNetwork.FromDense(LipschitzReference.Mlp(new[] { 16, 10, 10, 10 }, 3));
        var (lo, hi, _) = LipschitzReference.Box(16, 0.04, 3);
        var outputs = Enumerable.Range(0, 10).ToArray();
        var sampled = SampledLowerBound.PerOutput(net, lo, hi);
        var each = LipschitzBab.Run(net, lo, hi, outputs, sampled, new LipschitzBabOptions(60));
        var overall = LipschitzBab.Run(net, lo, hi, outputs, sampled, new LipschitzBabOptions(60), overallOnly: true);
        Assert.That(overall.Max(r => r.Upper), Is.EqualTo(each.Max(r => r.Upper)).Within(1e-9));
        for (int j = 0; j < 10; j++) Assert.That(overall[j].Upper, Is.GreaterThanOrEqualTo(each[j].Upper - 1e-9), "per-output bounds stay sound");
    }

    [Test]
    public void StartingFromTheCallersRootBoundsGivesTheSameSearch()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var net = LipschitzNetwork.FromDense(LipschitzReference.Mlp(new[] { 16, 10, 10, 10 }, 4));
        var (lo, hi, _) = LipschitzReference.Box(16, 0.05, 4);
        var outputs = new[] { 7, 2, 5 };
        var sampled = SampledLowerBound.PerOutput(net, lo, hi);
        var incumbents = outputs.Select(j => sampled[j]).ToArray();
        var forward = ForwardBounds.Compute(net, lo, hi);
        var slopes = forward.Select(f => new Verify.Operators.Relu().SlopeRange(f)).ToArray();
        // The caller's Jacobian rows are in another order and include an output the search does not run.
        var analysed = new[] { 2, 9, 5, 7 };
        var jac = JacobianBounds.Compute(net, slopes, analysed, JacobianMethod.Crown);
        var root = new BabRoot(forward, jac, outputs.Select(j => (long)Array.IndexOf(analysed, j)).ToArray());
        var fresh = LipschitzBab.Run(net, lo, hi, outputs, incumbents, new LipschitzBabOptions(60));
        var seeded = LipschitzBab.Run(net, lo, hi, outputs, incumbents, new LipschitzBabOptions(60), root: root);
        Assert.That(fresh.Any(r => r.Domains > outputs.Length), "the test needs a search that branches");
        Assert.That(seeded.Select(r => r.Upper), Is.EqualTo(fresh.Select(r => r.Upper)).Within(1e-12));
        Assert.That(seeded.Select(r => r.Complete), Is.EqualTo(fresh.Select(r => r.Complete)));
        Assert.That(seeded[0].Domains, Is.EqualTo(fresh[0].Domains));
    }
}
