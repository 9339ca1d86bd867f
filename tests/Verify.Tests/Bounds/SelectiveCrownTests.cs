using Verify.Bounds;
using Verify.Cli.Studies;
using Verify.Graph;
using Verify.Import;
using Verify.Solvers;
using Verify.Spec;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>
/// CROWN by actual cost on deep one-input networks (<see cref="SelectiveCrown"/>): a small box with few inexact neurons
/// gets CROWN where CROWN of every neuron is unaffordable, a large batch of wide boxes stays within the budget, the
/// bounds contain sampled values, and verdicts with it agree with SCIP's exact MIP.
/// </summary>
public class SelectiveCrownTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-selective-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    ComputationGraph Network(int layers, int wide, int narrow, int seed)
    {
        var (onnx, _) = IndexNetwork.Write(new IndexNetworkOptions(Layers: layers, Wide: wide, Narrow: narrow, Boxes: 1, Seed: seed), dir);
        return OnnxImporter.Load(onnx);
    }

    [Test]
    public void ASmallBoxGetsCrownAndAWideBatchStaysWithinTheBudget()
    {
        var graph = Network(12, 200, 120, 2).To(CPU, ScalarType.Float64);
        // A tenth of one box's CROWN of every neuron: the worst-case rule refuses even one box.
        double budget = PassCost.CrownIntermediateMacs(graph) / 10;
        Assert.That(FewInputBounds.CrownAffordable(graph, 1, budget), Is.False);
        // The box of width 1e-3 whose inexact neurons are fewest (but some).
        var starts = torch.linspace(0, 0.99, 100, dtype: ScalarType.Float64).reshape(100, 1, 1);
        var (probe, probeMacs) = PassCost.InexactCrownMacs(graph,
            FewInputBounds.Intermediate(graph, new IntervalBounds(starts, starts + 1e-3), out _, crown: false));
        var cost = probe.matmul(probeMacs);
        long pick = torch.where(cost > 0, cost, torch.full_like(cost, double.PositiveInfinity)).argmin().item<long>();
        Assert.That(cost[pick].item<double>(), Is.GreaterThan(0).And.LessThan(double.PositiveInfinity), "no box with inexact neurons");
        var small = new IntervalBounds(starts[pick].reshape(1, 1, 1), starts[pick].reshape(1, 1, 1) + 1e-3);
        var forward = FewInputBounds.Intermediate(graph, small, out _, crown: false);
        SelectiveCrown.Tighten(graph, small, forward, budget, out var tightened);
        Assert.That(tightened[0].item<bool>(), Is.True, "CROWN of the small box's few inexact neurons is affordable");

        // 256 boxes covering [0, 1]: their inexact neurons cost far more than the budget.
        var lo = torch.linspace(0, 1 - 1.0 / 256, 256, dtype: ScalarType.Float64).reshape(256, 1, 1);
        var wide = new IntervalBounds(lo, lo + 1.0 / 256);
        var wideForward = FewInputBounds.Intermediate(graph, wide, out _, crown: false);
        var (wideCounts, passMacs) = PassCost.InexactCrownMacs(graph, wideForward);
        Assert.That(wideCounts.matmul(passMacs).sum().item<double>(), Is.GreaterThan(20 * budget));
        SelectiveCrown.Tighten(graph, wide, wideForward, budget, out var wideTightened);
        Assert.That(wideTightened.sum().item<long>(), Is.LessThan(64), "most of the wide boxes keep their forward bounds");
    }

    [TestCase(3)]
    [TestCase(4)]
    public void TightenedBoundsContainSamplesAndLieInsideTheForwardBounds(int seed)
    {
        var graph = Network(10, 60, 40, seed).To(CPU, ScalarType.Float64);
        var width = torch.tensor(new[] { 1e-4, 1e-3, 1e-2, 0.05 }, dtype: ScalarType.Float64).repeat(8);
        var lo = torch.rand(32, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)) * 0.9;
        var box = new IntervalBounds(lo.reshape(32, 1, 1), (lo + width).reshape(32, 1, 1));
        var forward = FewInputBounds.Intermediate(graph, box, out _, crown: false);
        var bounds = SelectiveCrown.Tighten(graph, box, forward, PassCost.CrownIntermediateMacs(graph) * 4, out var tightened);
        Assert.That(tightened.any().item<bool>(), Is.True, "no box was tightened");
        var t = torch.rand(32, 300, dtype: ScalarType.Float64, generator: new Generator((ulong)seed + 100)) * width.reshape(32, 1) + lo.reshape(32, 1);
        var values = graph.ForwardAll(t.reshape(32 * 300, 1, 1));
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            var v = values[i].reshape(32, 300, -1);
            var lower = bounds[i].Lower.reshape(32, 1, -1);
            var upper = bounds[i].Upper.reshape(32, 1, -1);
            Assert.That((v - upper).max().item<double>(), Is.LessThanOrEqualTo(1e-9), $"node {i} above");
            Assert.That((lower - v).max().item<double>(), Is.LessThanOrEqualTo(1e-9), $"node {i} below");
            Assert.That((forward[i].Lower - bounds[i].Lower).max().item<double>(), Is.LessThanOrEqualTo(1e-9), $"node {i} lower looser");
            Assert.That((bounds[i].Upper - forward[i].Upper).max().item<double>(), Is.LessThanOrEqualTo(1e-9), $"node {i} upper looser");
        }
    }

    [TestCase(7)]
    [TestCase(8)]
    public void VerdictsWithCrownByActualCostAgreeWithTheMip(int seed)
    {
        var (onnx, vnnlib) = IndexNetwork.Write(new IndexNetworkOptions(Layers: 8, Wide: 24, Narrow: 16, Boxes: 30, Seed: seed), dir);
        var graph = OnnxImporter.Load(onnx);
        var property = VnnlibReader.Load(vnnlib, 1, 1);
        using var runner = new OnnxRuntimeRunner(onnx);
        // Two boxes' CROWN of every neuron: the root's 30 boxes and every branch-and-bound batch above two take the
        // selective path.
        var options = VerifierOptions.Default with { TimeoutSeconds = 60 };
        options = options with { Bab = options.Bab with { CrownIntermediateMaxMacs = 2 * PassCost.CrownIntermediateMacs(graph) } };
        Assert.That(FewInputBounds.CrownAffordable(graph, 30, options.Bab.CrownIntermediateMaxMacs), Is.False);
        var ours = Verifier.Check(graph, runner, property, options);
        var mip = MipVerifier.Check(graph, property, 120);
        Assert.That(mip.Verdict, Is.EqualTo(Verdict.Holds).Or.EqualTo(Verdict.Violated), $"the MIP did not decide: {mip.Reason}");
        Assert.That(ours.Verdict, Is.EqualTo(mip.Verdict), ours.Reason);
    }
}
