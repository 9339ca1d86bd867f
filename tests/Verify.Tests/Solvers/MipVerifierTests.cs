using Verify.Graph;
using Verify.Solvers;
using Verify.Spec;
using Verify.Tests.Support;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;
using static Verify.Tests.Solvers.SolverTestNetworks;

namespace Verify.Tests.Solvers;

/// <summary>The complete MIP check against sampling and the exact MIP minimum on tiny random networks.</summary>
public class MipVerifierTests
{
    const int Samples = 20000;

    static ComputationGraph TinyNetwork(int seed)
    {
        var rng = new Random(seed);
        int[] widths = { rng.Next(2, 5), rng.Next(4, 8), rng.Next(3, 7), rng.Next(2, 4) };
        var g = RandomNetworks.Mlp(widths, 900 + seed, weightScale: 1.6);
        return seed % 5 == 4 ? WithLeakyRelu(g, 0.2) : g;
    }

    static (double[] Lo, double[] Hi, Tensor Ys) BoxAndSampledOutputs(ComputationGraph g, int seed)
    {
        var box = RandomNetworks.Box(1, (int)g.InputSize, 0.5, 300 + seed);
        var ys = g.Forward(RandomNetworks.Samples(box, Samples, 400 + seed)[0]);
        return (Row(box.Lower), Row(box.Upper), ys);
    }

    static VnnProperty Property(double[] lo, double[] hi, int outputs, params OutputConjunction[] disjuncts) =>
        new(new[] { new PropertyCase(new InputBox(lo, hi), disjuncts) }, lo.Length, outputs, "test");

    static double[] Difference(int outputs, int j, int k)
    {
        var c = new double[outputs];
        c[j] = 1;
        c[k] = -1;
        return c;
    }

    static IEnumerable<int> Fifty() => Enumerable.Range(0, 50);

    [TestCaseSource(nameof(Fifty))]
    public void VerdictAgreesWithSamplingAndTheExactMinimum(int seed)
    {
        using var scope = torch.NewDisposeScope();
        var g = TinyNetwork(seed);
        int outputs = (int)g.OutputSize;
        var (lo, hi, ys) = BoxAndSampledOutputs(g, seed);
        var rng = new Random(seed);
        int j = rng.Next(outputs), k = (j + 1 + rng.Next(outputs - 1)) % outputs;
        var c = Difference(outputs, j, k);
        var s = ys[.., j] - ys[.., k];
        double sMin = s.min().item<double>(), sMax = s.max().item<double>();
        // d around the smallest sampled value, so that both verdicts occur.
        double d = sMin + (rng.NextDouble() - 0.5) * 0.2 * (sMax - sMin);
        var verdict = MipVerifier.Check(g, Property(lo, hi, outputs, new OutputConjunction(new[] { c }, new[] { d })), 30);
        double exactMin = MipEncoding.Minimize(g, lo, hi, c, 0, 30).Value;

        // The complete check decides a network this small; an undecided verdict would skip every check below.
        Assert.That(verdict.Verdict, Is.AnyOf(Verdict.Holds, Verdict.Violated), verdict.Reason);
        if (sMin <= d) Assert.That(verdict.Verdict, Is.EqualTo(Verdict.Violated), "sampling found a violation");
        if (Math.Abs(exactMin - d) > 1e-6)
            Assert.That(verdict.Verdict, Is.EqualTo(exactMin < d ? Verdict.Violated : Verdict.Holds), $"exact minimum {exactMin}, d {d}");
        if (verdict.Verdict == Verdict.Holds)
            Assert.That(sMin, Is.GreaterThan(d), "a sample violates a property said to hold");
        if (verdict.Verdict == Verdict.Violated)
        {
            var x = verdict.Input!;
            Assert.That(new InputBox(lo, hi).Contains(x), Is.True, "the point lies outside the box");
            var y = Output(g, x);
            Assert.That(y[j] - y[k], Is.LessThanOrEqualTo(d), "the point does not violate under the forward pass");
            Assert.That((verdict.Case, verdict.Disjunct), Is.EqualTo((0, 0)));
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    public void MultiCaseMultiAtomVerdictAgreesWithSampling(int seed)
    {
        using var scope = torch.NewDisposeScope();
        var g = TinyNetwork(100 + seed);
        int outputs = (int)g.OutputSize, n = (int)g.InputSize;
        var rng = new Random(seed);
        var cases = new List<PropertyCase>();
        var sampled = new List<Tensor>();
        for (int b = 0; b < 2; b++)
        {
            var (lo, hi, ys) = BoxAndSampledOutputs(g, 10 * seed + b);
            sampled.Add(ys);
            var disjuncts = new List<OutputConjunction>();
            for (int dj = 0; dj < 2; dj++)
            {
                var rows = new double[2][];
                var rhs = new double[2];
                for (int a = 0; a < 2; a++)
                {
                    rows[a] = Enumerable.Range(0, outputs).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
                    var m = ys.matmul(torch.tensor(rows[a], dtype: ScalarType.Float64));
                    double mMin = m.min().item<double>(), mMax = m.max().item<double>();
                    rhs[a] = mMin + rng.NextDouble() * 0.3 * (mMax - mMin);
                }
                disjuncts.Add(new OutputConjunction(rows, rhs));
            }
            cases.Add(new PropertyCase(new InputBox(lo, hi), disjuncts));
        }
        var property = new VnnProperty(cases, n, outputs, "test");
        var verdict = MipVerifier.Check(g, property, 30);

        bool sampleViolates = false;
        for (int b = 0; b < 2; b++)
        {
            var ys = sampled[b];
            foreach (var conj in cases[b].Disjuncts)
            {
                var inside = torch.ones(ys.shape[0], dtype: ScalarType.Bool);
                for (int a = 0; a < conj.Atoms; a++)
                    inside = inside.logical_and(ys.matmul(torch.tensor(conj.C[a], dtype: ScalarType.Float64)) <= conj.D[a]);
                sampleViolates |= inside.any().item<bool>();
            }
        }
        Assert.That(verdict.Verdict, Is.AnyOf(Verdict.Holds, Verdict.Violated));
        if (sampleViolates) Assert.That(verdict.Verdict, Is.EqualTo(Verdict.Violated));
        if (verdict.Verdict == Verdict.Violated)
        {
            var box = cases[verdict.Case].Box;
            Assert.That(box.Contains(verdict.Input!), Is.True);
            Assert.That(CounterexampleChecker.Satisfies(cases[verdict.Case].Disjuncts[verdict.Disjunct], Output(g, verdict.Input!)), Is.True);
        }
    }

    [Test]
    public void DisjunctRefutedByCrownNeedsNoMip()
    {
        using var scope = torch.NewDisposeScope();
        var g = TinyNetwork(7);
        var (lo, hi, _) = BoxAndSampledOutputs(g, 7);
        var c = Difference((int)g.OutputSize, 0, 1);
        var verdict = MipVerifier.Check(g, Property(lo, hi, (int)g.OutputSize, new OutputConjunction(new[] { c }, new[] { -1e6 })), 30);
        Assert.That(verdict.Verdict, Is.EqualTo(Verdict.Holds));
        Assert.That(verdict.MipsSolved, Is.Zero);
    }

    [Test]
    public void ConjunctionWithoutAtomsIsViolatedByAnyInput()
    {
        using var scope = torch.NewDisposeScope();
        var g = TinyNetwork(8);
        var (lo, hi, _) = BoxAndSampledOutputs(g, 8);
        var verdict = MipVerifier.Check(g, Property(lo, hi, (int)g.OutputSize, new OutputConjunction(Array.Empty<double[]>(), Array.Empty<double>())), 30);
        Assert.That(verdict.Verdict, Is.EqualTo(Verdict.Violated));
        Assert.That(new InputBox(lo, hi).Contains(verdict.Input!), Is.True);
    }

    [Test]
    public void CancelledOrExpiredCheckReportsTimeout()
    {
        using var scope = torch.NewDisposeScope();
        var g = TinyNetwork(9);
        var (lo, hi, ys) = BoxAndSampledOutputs(g, 9);
        var c = Difference((int)g.OutputSize, 0, 1);
        double d = (ys[.., 0] - ys[.., 1]).min().item<double>() + 1e-3; // reachable, so CROWN cannot refute it
        var property = Property(lo, hi, (int)g.OutputSize, new OutputConjunction(new[] { c }, new[] { d }));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.That(MipVerifier.Check(g, property, 30, cancelled.Token).Verdict, Is.EqualTo(Verdict.Timeout));
        Assert.That(MipVerifier.Check(g, property, 0).Verdict, Is.EqualTo(Verdict.Timeout));
    }
}
