using Verify.Bounds;
using Verify.Graph;
using Verify.Solvers;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static Verify.Tests.Solvers.SolverTestNetworks;

namespace Verify.Tests.Solvers;

/// <summary>The triangle LP relaxation against CROWN (never looser) and the exact MIP (never above).</summary>
public class LpRelaxationTests
{
    static double CrownLower(ComputationGraph g, IntervalBounds[] bounds, double[] c, double offset)
    {
        var ct = torch.tensor(c, dtype: ScalarType.Float64).reshape(1, 1, c.Length);
        var bias = torch.full(1, 1, offset, dtype: ScalarType.Float64);
        return BoundComputer.SpecLower(g, bounds, ct, bias, BoundMethod.Crown).item<double>();
    }

    static double[] RandomC(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    [TestCaseSource(typeof(SolverTestNetworks), nameof(SolverTestNetworks.Ten))]
    public void LpMinimumIsNoLooserThanCrownAndNoHigherThanTheExactMinimum(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, _, lo, hi, bounds) = Setup(kind, seed);
        var c = RandomC((int)g.OutputSize, 80 + seed);
        var lp = LpRelaxation.Minimize(g, lo, hi, bounds, c, 0.25, 30);
        // With (almost) unwidened bounds the LP reads the very intermediate bounds CROWN uses.
        var sameBounds = LpRelaxation.Minimize(g, lo, hi, bounds, c, 0.25, 30, new LpOptions(BoundSlack: 1e-13));
        var crown = CrownLower(g, bounds, c, 0.25);
        var mip = MipEncoding.Minimize(g, lo, hi, c, 0.25, 30);
        Assert.That(lp.Optimal && sameBounds.Optimal, Is.True, "GLOP should solve an LP this small");
        Assert.That(sameBounds.Value, Is.GreaterThanOrEqualTo(crown - 1e-7), "LP relaxation looser than CROWN");
        Assert.That(mip.Optimal, Is.True);
        Assert.That(lp.Value, Is.LessThanOrEqualTo(mip.Value + 1e-7), "LP bound above the exact minimum");
        Assert.That(sameBounds.Value, Is.LessThanOrEqualTo(mip.Value + 1e-7), "LP bound above the exact minimum");
        Assert.That(lp.Value, Is.LessThanOrEqualTo(sameBounds.Value + 1e-9), "widening the bounds tightened the LP");
    }

    [TestCase("mlp 5-12-10-8-2", 2)]
    [TestCase("leaky 4-12-8-3", 6)]
    [TestCase("conv", 7)]
    public void LpMinimumIsExactWhenNoNeuronIsUnstable(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, _, lo, hi, bounds) = Setup(kind, seed, radius: 1e-4);
        var c = RandomC((int)g.OutputSize, 90 + seed);
        var lp = LpRelaxation.Minimize(g, lo, hi, bounds, c, 0, 30);
        var mip = MipEncoding.Minimize(g, lo, hi, c, 0, 30);
        Assert.That(lp.Optimal && mip.Optimal, Is.True);
        Assert.That(lp.Value, Is.EqualTo(mip.Value).Within(1e-6));
    }

    [TestCaseSource(typeof(SolverTestNetworks), nameof(SolverTestNetworks.Ten))]
    public void TightenedBoundsContainSampledValuesAndAreNoLooserThanCrown(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, box, lo, hi, crown) = Setup(kind, seed);
        var tight = LpRelaxation.TightenIntermediate(g, lo, hi, crown, 30);
        var values = g.ForwardAll(RandomNetworks.Samples(box, 2000, 40 + seed).reshape(new[] { 2000L }.Concat(g.InputShape).ToArray()));
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            Assert.That((tight[i].Lower >= crown[i].Lower).all().item<bool>(), Is.True, $"node {i} lower bound looser than CROWN");
            Assert.That((tight[i].Upper <= crown[i].Upper).all().item<bool>(), Is.True, $"node {i} upper bound looser than CROWN");
            var v = values[i];
            Assert.That((v >= tight[i].Lower - 1e-9).all().item<bool>(), Is.True, $"node {i}: a sampled value is below the tightened bound");
            Assert.That((v <= tight[i].Upper + 1e-9).all().item<bool>(), Is.True, $"node {i}: a sampled value is above the tightened bound");
        }
    }

    [Test]
    public void TighteningNarrowsSomeUnstableNeuronsOfDeepNetworks()
    {
        double before = 0, after = 0;
        foreach (var (kind, seed) in new[] { ("mlp 5-12-10-8-2", 2), ("mlp 2-6-6-6-1", 3), ("conv", 8) })
        {
            using var scope = torch.NewDisposeScope();
            var (g, _, lo, hi, crown) = Setup(kind, seed);
            var tight = LpRelaxation.TightenIntermediate(g, lo, hi, crown, 30);
            for (int i = 0; i <= g.OutputIndex; i++)
            {
                before += (crown[i].Upper - crown[i].Lower).sum().item<double>();
                after += (tight[i].Upper - tight[i].Lower).sum().item<double>();
            }
        }
        Assert.That(after, Is.LessThan(before));
    }

    [Test]
    public void TighteningOneBatchEntryLeavesTheOthersUnchanged()
    {
        using var scope = torch.NewDisposeScope();
        var g = Network("mlp 4-10-6-3", 1);
        var boxes = RandomNetworks.Box(2, 4, 0.5, 77);
        var crown = BoundComputer.Intermediate(g, boxes, BoundOptions.Crown);
        var tight = LpRelaxation.TightenIntermediate(g, Row(boxes.Lower[1]), Row(boxes.Upper[1]), crown, 30, new LpOptions(BatchIndex: 1));
        var samples = RandomNetworks.Samples(boxes, 1000, 78)[1];
        var values = g.ForwardAll(samples);
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            Assert.That((tight[i].Lower[0] == crown[i].Lower[0]).all().item<bool>() && (tight[i].Upper[0] == crown[i].Upper[0]).all().item<bool>(), Is.True);
            Assert.That((values[i] >= tight[i].Lower[1] - 1e-9).all().item<bool>() && (values[i] <= tight[i].Upper[1] + 1e-9).all().item<bool>(), Is.True);
        }
    }

    [Test]
    public void Float32BoundsAreTightenedWithOutwardRounding()
    {
        using var scope = torch.NewDisposeScope();
        var (g, box, lo, hi, crown) = Setup("mlp 5-12-10-8-2", 2);
        // Sound float32 bounds: widened by more than float32 rounding before the conversion.
        var crown32 = crown.Select(b => new IntervalBounds((b.Lower - 1e-6 * (1 + b.Lower.abs())).to(ScalarType.Float32),
            (b.Upper + 1e-6 * (1 + b.Upper.abs())).to(ScalarType.Float32))).ToArray();
        var tight = LpRelaxation.TightenIntermediate(g, lo, hi, crown32, 30);
        var values = g.ForwardAll(RandomNetworks.Samples(box, 2000, 41).reshape(2000, -1));
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            Assert.That(tight[i].Lower.dtype, Is.EqualTo(ScalarType.Float32));
            Assert.That((tight[i].Lower >= crown32[i].Lower).all().item<bool>() && (tight[i].Upper <= crown32[i].Upper).all().item<bool>(), Is.True);
            Assert.That((values[i] >= tight[i].Lower.to(ScalarType.Float64)).all().item<bool>(), Is.True, $"node {i}");
            Assert.That((values[i] <= tight[i].Upper.to(ScalarType.Float64)).all().item<bool>(), Is.True, $"node {i}");
        }
    }

    [Test]
    public void TighteningWithoutTimeLeavesTheBoundsUnchanged()
    {
        using var scope = torch.NewDisposeScope();
        var (g, _, lo, hi, crown) = Setup("mlp 5-12-10-8-2", 2);
        var tight = LpRelaxation.TightenIntermediate(g, lo, hi, crown, 0);
        for (int i = 0; i <= g.OutputIndex; i++)
            Assert.That((tight[i].Lower == crown[i].Lower).all().item<bool>() && (tight[i].Upper == crown[i].Upper).all().item<bool>(), Is.True);
    }

    [TestCase("mlp 6-16-9-3", 4)]
    [TestCase("conv", 9)]
    public void PdlpBoundIsSoundAndCloseToGlop(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, _, lo, hi, bounds) = Setup(kind, seed);
        var c = RandomC((int)g.OutputSize, 70 + seed);
        var glop = LpRelaxation.Minimize(g, lo, hi, bounds, c, 0, 30);
        var pdlp = LpRelaxation.Minimize(g, lo, hi, bounds, c, 0, 30, new LpOptions(Backend: LpBackend.Pdlp));
        Assert.That(glop.Optimal && pdlp.Optimal, Is.True);
        Assert.That(pdlp.Value, Is.LessThanOrEqualTo(glop.Value + 1e-7), "PDLP's sound bound above the LP optimum");
        Assert.That(pdlp.Value, Is.GreaterThanOrEqualTo(glop.Value - 1e-3 * (1 + Math.Abs(glop.Value))));
    }

    [Test]
    public void NoTimeLeftGivesNegativeInfinityAndNotOptimal()
    {
        using var scope = torch.NewDisposeScope();
        var (g, _, lo, hi, bounds) = Setup("mlp 3-8-8-2", 0);
        var lp = LpRelaxation.Minimize(g, lo, hi, bounds, new[] { 1.0, 0.0 }, 0, 0);
        Assert.That(lp.Optimal, Is.False);
        Assert.That(lp.Value, Is.EqualTo(double.NegativeInfinity));
    }
}
