using Verify.Lipschitz;

namespace Verify.Tests.Lipschitz;

public class JacobianBoundTests
{
    static readonly LipschitzMethod[] Bounding = { LipschitzMethod.Naive, LipschitzMethod.Ibp, LipschitzMethod.RecurJac, LipschitzMethod.Crown };

    [Test]
    public void OneLinearLayerGivesItsRowNormsForEveryMethod()
    {
        var rng = new Random(5);
        var net = new DenseNetwork(new[] { LipschitzReference.Layer(rng, 4, 6, null) });
        var (lo, hi, c) = LipschitzReference.Box(6, 0.3, 1);
        var report = LipschitzAnalysis.Run(LipschitzNetwork.FromDense(net), lo, hi,
            new LipschitzOptions(Bounding.Append(LipschitzMethod.Mip).Append(LipschitzMethod.Bab).ToList()));
        var expected = LipschitzReference.RowNorms(net, c);
        Assert.That(report.Lower, Is.EqualTo(expected).Within(1e-9));
        Assert.That(report.Methods.Select(m => m.Method), Is.EqualTo(Bounding.Append(LipschitzMethod.Mip).Append(LipschitzMethod.Bab)), "every requested method reports");
        foreach (var m in report.Methods)
            Assert.That(m.Upper, Is.EqualTo(expected).Within(1e-9), m.Method.ToString());
    }

    [Test]
    public void RegionInsideOneLinearPieceIsExactForEveryBoundPropagation()
    {
        var net = LipschitzReference.Mlp(new[] { 16, 12, 12, 10 }, seed: 2);
        var (lo, hi, c) = LipschitzReference.Box(16, 1e-5, 2);
        var report = LipschitzAnalysis.Run(LipschitzNetwork.FromDense(net), lo, hi,
            new LipschitzOptions(new[] { LipschitzMethod.Ibp, LipschitzMethod.RecurJac, LipschitzMethod.Crown, LipschitzMethod.Mip, LipschitzMethod.Bab }));
        Assert.That(report.UnstableNeurons, Is.EqualTo(0), "the box should lie in one linear piece");
        var expected = LipschitzReference.RowNorms(net, c);
        Assert.That(report.Lower, Is.EqualTo(expected).Within(1e-9));
        Assert.That(report.Methods, Has.Count.EqualTo(5), "every requested method reports");
        foreach (var m in report.Methods)
        {
            Assert.That(m.Upper, Is.EqualTo(expected).Within(1e-9), m.Method.ToString());
            Assert.That(m.OverallExact, Is.True, m.Method.ToString());
        }
    }

    [TestCase(8, 1, 0.04)]
    [TestCase(8, 5, 0.05)]
    [TestCase(16, 3, 0.025)]
    [TestCase(16, 4, 0.03)]
    public void RandomReluNetworksOrderTheBounds(int width, int seed, double radius)
    {
        var net = LipschitzReference.Mlp(new[] { 16, width, width, 10 }, seed);
        var (lo, hi, _) = LipschitzReference.Box(16, radius, seed);
        var report = LipschitzAnalysis.Run(LipschitzNetwork.FromDense(net), lo, hi,
            new LipschitzOptions(Bounding.Append(LipschitzMethod.Mip).Append(LipschitzMethod.Bab).ToList(), TimeoutSeconds: 120));
        Assert.That(report.UnstableNeurons, Is.GreaterThan(0), "the test needs unstable neurons");
        var by = report.Methods.ToDictionary(m => m.Method);
        var mip = by[LipschitzMethod.Mip];
        Assert.That(mip.Exact.All(e => e), "the MILP should finish on a tiny network");
        for (int j = 0; j < report.Outputs.Length; j++)
        {
            string at = $"output {j}";
            double exact = mip.Upper[j];
            Assert.That(report.Lower[j], Is.LessThanOrEqualTo(exact + 1e-6), at);
            Assert.That(exact, Is.LessThanOrEqualTo(by[LipschitzMethod.Crown].Upper[j] + 1e-6), at);
            Assert.That(exact, Is.LessThanOrEqualTo(by[LipschitzMethod.RecurJac].Upper[j] + 1e-6), at);
            Assert.That(by[LipschitzMethod.Crown].Upper[j], Is.LessThanOrEqualTo(by[LipschitzMethod.Ibp].Upper[j] + 1e-9), at);
            Assert.That(by[LipschitzMethod.RecurJac].Upper[j], Is.LessThanOrEqualTo(by[LipschitzMethod.Ibp].Upper[j] + 1e-9), at);
            Assert.That(by[LipschitzMethod.Ibp].Upper[j], Is.LessThanOrEqualTo(by[LipschitzMethod.Naive].Upper[j] + 1e-9), at);
            Assert.That(by[LipschitzMethod.Bab].Exact[j], Is.True, at + ": branch-and-bound should complete");
            Assert.That(by[LipschitzMethod.Bab].Upper[j], Is.EqualTo(exact).Within(1e-6), at + ": branch-and-bound run to completion equals the MILP");
        }
    }

    [TestCase("Sigmoid", 7)]
    [TestCase("Tanh", 8)]
    public void SmoothNetworksBoundEverySampledGradient(string name, int seed)
    {
        var act = TestActivations.Named(name);
        var net = LipschitzReference.Mlp(new[] { 6, 10, 10, 4 }, seed, act);
        var (lo, hi, _) = LipschitzReference.Box(6, 0.5, seed);
        var report = LipschitzAnalysis.Run(LipschitzNetwork.FromDense(net), lo, hi,
            new LipschitzOptions(Bounding.ToList()));
        var rng = new Random(seed);
        var worst = new double[4];
        for (int s = 0; s < 3000; s++)
        {
            var x = lo.Select((l, i) => s < 64 ? (((s >> (i % 6)) & 1) == 0 ? l : hi[i]) : l + (hi[i] - l) * rng.NextDouble()).ToArray();
            var norms = LipschitzReference.RowNorms(net, x);
            for (int j = 0; j < 4; j++) worst[j] = Math.Max(worst[j], norms[j]);
        }
        Assert.That(report.Methods.Select(m => m.Method), Is.EqualTo(Bounding), "every requested method reports");
        foreach (var m in report.Methods)
            for (int j = 0; j < 4; j++)
                Assert.That(worst[j], Is.LessThanOrEqualTo(m.Upper[j] * (1 + 1e-9)), $"{m.Method} output {j}");
        for (int j = 0; j < 4; j++) Assert.That(report.Lower[j], Is.LessThanOrEqualTo(report.Methods.Min(m => m.Upper[j]) * (1 + 1e-9)));
        var crown = report.Methods.Single(m => m.Method == LipschitzMethod.Crown);
        var ibp = report.Methods.Single(m => m.Method == LipschitzMethod.Ibp);
        Assert.That(crown.OverallUpper, Is.LessThan(ibp.OverallUpper), "the hull lines should beat interval arithmetic here");
    }

    [Test]
    public void PositiveNetworkIsMonotoneInEveryPair()
    {
        var rng = new Random(3);
        DenseLayer Positive(int o, int i, Verify.Operators.ActivationOperator? a)
        {
            var w = new double[o, i];
            for (int r = 0; r < o; r++) for (int c = 0; c < i; c++) w[r, c] = rng.NextDouble();
            return new DenseLayer(w, new double[o], a);
        }
        var net = new DenseNetwork(new[] { Positive(5, 4, new Verify.Operators.Relu()), Positive(3, 5, null) });
        var report = LipschitzAnalysis.Run(LipschitzNetwork.FromDense(net), new double[] { -1, -1, -1, -1 }, new double[] { 1, 1, 1, 1 },
            new LipschitzOptions(new[] { LipschitzMethod.Crown }));
        Assert.That(report.Monotone.Count, Is.EqualTo(12));
        Assert.That(report.Monotone.All(p => p.Increasing && p.Lower >= 0));
        // Flipping one input's weights makes that input decreasing.
        var flipped = (double[,])net.Layers[0].Weight.Clone();
        for (int r = 0; r < 5; r++) flipped[r, 2] = -flipped[r, 2];
        var net2 = new DenseNetwork(new[] { net.Layers[0] with { Weight = flipped }, net.Layers[1] });
        var report2 = LipschitzAnalysis.Run(LipschitzNetwork.FromDense(net2), new double[] { -1, -1, -1, -1 }, new double[] { 1, 1, 1, 1 },
            new LipschitzOptions(new[] { LipschitzMethod.Crown }));
        Assert.That(report2.Monotone.Where(p => p.Input == 2).All(p => !p.Increasing), Is.True);
        Assert.That(report2.Monotone.Where(p => p.Input == 2).Count(), Is.EqualTo(3));
    }
}

public class JacobianPerDomainTests
{
    [Test]
    public void OneOutputPerDomainEqualsTheSameRowsOfTheAllOutputsPass()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var net = LipschitzNetwork.FromDense(LipschitzReference.Mlp(new[] { 5, 8, 8, 4 }, seed: 7));
        var (lo, hi, _) = LipschitzReference.Box(5, 0.3, 7);
        var forward = ForwardBounds.Compute(net, lo, hi);
        var slopes = Enumerable.Range(0, net.HiddenLayers).Select(k => net.ActivationOf(k).SlopeRange(forward[k])).ToArray();
        var all = JacobianBounds.Compute(net, slopes, new[] { 0, 1, 2, 3 }, JacobianMethod.Crown).NormUpper.data<double>().ToArray();
        var order = new long[] { 2, 0, 3, 3, 1 };
        var batch = slopes.Select(s => new Verify.Graph.IntervalBounds(s.Lower.expand(order.Length, -1), s.Upper.expand(order.Length, -1))).ToArray();
        var each = JacobianBounds.ComputePerDomain(net, batch, order, JacobianMethod.Crown).NormUpper.data<double>().ToArray();
        Assert.That(each, Is.EqualTo(order.Select(o => all[o]).ToArray()).Within(1e-12));
        Assert.That(all.Distinct().Count(), Is.EqualTo(4), "the outputs should have different bounds");
    }
}
