using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using Verify.Solvers;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>IBP and CROWN against the exact ranges a MIP (SCIP through OR-Tools) computes on small random networks.</summary>
public class MipGroundTruthTests
{
    static IEnumerable<TestCaseData> Networks()
    {
        yield return new TestCaseData("mlp 4-12-10-3", 0);
        yield return new TestCaseData("mlp 5-20-15-8-2", 1);
        yield return new TestCaseData("mlp 3-5-5-5-4", 2);
        yield return new TestCaseData("mlp 6-16-9-3", 3);
        yield return new TestCaseData("conv", 4);
        yield return new TestCaseData("conv", 5);
    }

    static ComputationGraph Network(string kind, int seed) => kind == "conv"
        ? RandomNetworks.SmallConv(seed)
        : RandomNetworks.Mlp(kind[4..].Split('-').Select(int.Parse).ToArray(), 300 + seed, weightScale: 1.6);

    [TestCaseSource(nameof(Networks))]
    public void ExactRangeOfEveryOutputLiesInsideIbpAndCrownBounds(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var g = Network(kind, seed);
        int n = (int)g.InputSize, outputs = (int)g.OutputSize;
        var box = RandomNetworks.Box(1, n, 0.5, 50 + seed);
        var lo = box.Lower.reshape(-1).data<double>().ToArray();
        var hi = box.Upper.reshape(-1).data<double>().ToArray();
        var ranges = new Dictionary<BoundMethod, IntervalBounds>();
        foreach (var m in new[] { BoundMethod.Ibp, BoundMethod.Crown })
            ranges[m] = BoundComputer.OutputBounds(g, BoundComputer.Intermediate(g, box, new BoundOptions(m)), m);
        var samples = RandomNetworks.Samples(box, 2000, 70 + seed).reshape(new[] { 2000L }.Concat(g.InputShape).ToArray());
        var ys = g.Forward(samples).reshape(2000, -1);
        for (int j = 0; j < outputs; j++)
        {
            var c = new double[outputs];
            c[j] = 1;
            var min = MipEncoding.Minimize(g, lo, hi, c, 0, 30);
            c[j] = -1;
            var max = MipEncoding.Minimize(g, lo, hi, c, 0, 30);
            Assert.That(min.Optimal && max.Optimal, Is.True, "the MIP should solve a network this small");
            double exactLo = min.Value, exactHi = -max.Value;
            // The MIP's points attain its values under the network's own forward pass (the encoding is exact).
            Assert.That(Output(g, min.Input!, j), Is.EqualTo(exactLo).Within(1e-6));
            Assert.That(Output(g, max.Input!, j), Is.EqualTo(exactHi).Within(1e-6));
            // No sampled point beats the exact optimum.
            Assert.That(ys[.., j].min().item<double>(), Is.GreaterThanOrEqualTo(exactLo - 1e-6));
            Assert.That(ys[.., j].max().item<double>(), Is.LessThanOrEqualTo(exactHi + 1e-6));
            foreach (var (m, r) in ranges)
            {
                Assert.That(r.Lower[0, j].item<double>(), Is.LessThanOrEqualTo(exactLo + 1e-7), $"{m} lower bound of output {j}");
                Assert.That(r.Upper[0, j].item<double>(), Is.GreaterThanOrEqualTo(exactHi - 1e-7), $"{m} upper bound of output {j}");
            }
        }
    }

    [Test]
    public void CrownIsTighterThanIbpOnAverage()
    {
        double ibpWidth = 0, crownWidth = 0;
        foreach (var data in Networks())
        {
            using var scope = torch.NewDisposeScope();
            var g = Network((string)data.Arguments[0]!, (int)data.Arguments[1]!);
            var box = RandomNetworks.Box(4, (int)g.InputSize, 0.5, 90);
            double Width(BoundMethod m)
            {
                var r = BoundComputer.OutputBounds(g, BoundComputer.Intermediate(g, box, new BoundOptions(m)), m);
                return (r.Upper - r.Lower).mean().item<double>();
            }
            ibpWidth += Width(BoundMethod.Ibp);
            crownWidth += Width(BoundMethod.Crown);
        }
        Assert.That(crownWidth, Is.LessThan(ibpWidth));
    }

    static double Output(ComputationGraph g, double[] x, int j) =>
        g.Forward(torch.tensor(x, dtype: ScalarType.Float64).reshape(new[] { 1L }.Concat(g.InputShape).ToArray()))
            .reshape(-1)[j].item<double>();
}
