using Verify.Bounds;
using Verify.Cli.Studies;
using Verify.Graph;
using Verify.Import;
using Verify.Solvers;
using Verify.Spec;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Verification;

/// <summary>
/// Properties with many input boxes on one-input networks (learned-index shape): every box is bounded in one batched
/// pass, forward bounds are chunked without changing them, and verdicts agree with SCIP's exact MIP and with ONNX Runtime.
/// </summary>
public class ManyBoxesTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-boxes-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    (ComputationGraph Graph, VnnProperty Property, string Model) Instance(IndexNetworkOptions options)
    {
        var (onnx, vnnlib) = IndexNetwork.Write(options, dir);
        var graph = OnnxImporter.Load(onnx);
        return (graph, VnnlibReader.Load(vnnlib, 1, 1), onnx);
    }

    [TestCase(1, false)]
    [TestCase(2, false)]
    [TestCase(3, true)]
    public void ManyBoxesAgreeWithTheMip(int seed, bool forwardOnly)
    {
        var (graph, property, model) = Instance(new IndexNetworkOptions(Layers: 5, Wide: 24, Narrow: 16, Boxes: 40, Seed: seed));
        Assert.That(property.Cases, Has.Count.EqualTo(40), "one case per box");
        using var runner = new OnnxRuntimeRunner(model);
        var options = VerifierOptions.Default with { TimeoutSeconds = 60 };
        // 0 multiply-accumulates: the root and every branch-and-bound step use forward linear bounds only.
        if (forwardOnly) options = options with { Bab = options.Bab with { CrownIntermediateMaxMacs = 0 } };
        var ours = Verifier.Check(graph, runner, property, options);
        var mip = MipVerifier.Check(graph, property, 120);
        Assert.That(mip.Verdict, Is.EqualTo(Verdict.Holds).Or.EqualTo(Verdict.Violated), $"the MIP did not decide: {mip.Reason}");
        Assert.That(ours.Verdict, Is.EqualTo(mip.Verdict), ours.Reason);
    }

    [Test]
    public void AViolatedBoxAmongManyIsFoundAndConfirmedByOnnxRuntime()
    {
        var (graph, property, model) = Instance(new IndexNetworkOptions(Layers: 6, Wide: 32, Narrow: 24, Boxes: 200, Violated: new[] { 137 }, Seed: 4));
        using var runner = new OnnxRuntimeRunner(model);
        var result = Verifier.Check(graph, runner, property, VerifierOptions.Default with { TimeoutSeconds = 60 });
        Assert.That(result.Verdict, Is.EqualTo(Verdict.Violated), result.Reason);
        var cex = result.Counterexample!;
        Assert.That(cex.Case, Is.EqualTo(137), "only box 137's band is too tight");
        Assert.That(cex.Input[0], Is.InRange(137 / 200.0, 138 / 200.0));
        // The unsafe side of box 137 is the upper one (disjunct 1: Y_0 >= high), checked on ONNX Runtime's output.
        var y = runner.Run(cex.Input)[0];
        var atom = property.Cases[137].Disjuncts[cex.Disjunct];
        Assert.That(atom.C[0][0] * y, Is.LessThanOrEqualTo(atom.D[0] + 1e-6), $"y = {y}");
    }

    [Test]
    public void ChunkedForwardBoundsEqualOneBatchAndContainSamples()
    {
        var (graph, _, _) = Instance(new IndexNetworkOptions(Layers: 8, Wide: 40, Narrow: 20, Boxes: 1, Seed: 5));
        var g = graph.To(CPU, ScalarType.Float64);
        var lo = torch.linspace(0, 0.95, 64, dtype: ScalarType.Float64).reshape(64, 1, 1);
        var box = new IntervalBounds(lo, lo + 0.05);
        var whole = FewInputBounds.Intermediate(g, box, out var influence, crown: false);
        var chunked = FewInputBounds.Intermediate(g, box, out var chunkedInfluence, crown: false, chunkBytes: 1);
        for (int i = 1; i <= g.OutputIndex; i++)
        {
            Assert.That((whole[i].Lower - chunked[i].Lower).abs().max().item<double>(), Is.LessThan(1e-9), $"node {i} lower");
            Assert.That((whole[i].Upper - chunked[i].Upper).abs().max().item<double>(), Is.LessThan(1e-9), $"node {i} upper");
        }
        Assert.That((influence - chunkedInfluence).abs().max().item<double>(), Is.LessThan(1e-9));
        // 200 points of every box, through every node.
        var t = torch.rand(64, 200, dtype: ScalarType.Float64, generator: new Generator(7)) * 0.05 + lo.reshape(64, 1);
        var values = g.ForwardAll(t.reshape(64 * 200, 1, 1));
        for (int i = 1; i <= g.OutputIndex; i++)
        {
            var v = values[i].reshape(64, 200, -1);
            Assert.That((v - whole[i].Upper.reshape(64, 1, -1)).max().item<double>(), Is.LessThanOrEqualTo(1e-9), $"node {i} above");
            Assert.That((whole[i].Lower.reshape(64, 1, -1) - v).max().item<double>(), Is.LessThanOrEqualTo(1e-9), $"node {i} below");
        }
    }

    [Test]
    public void DeepNetworkWhoseIntervalsOverflowIsNotGivenUpOn()
    {
        // 60 He-scaled layers of width 200-300: interval widths grow over 10x per layer and overflow float32; the function does not.
        var (graph, property, model) = Instance(new IndexNetworkOptions(Layers: 60, Wide: 300, Narrow: 200, Boxes: 20, Violated: new[] { 11 }, Seed: 6));
        var ibp = BoundComputer.Intermediate(graph, new IntervalBounds(torch.zeros(1, 1, 1), torch.ones(1, 1, 1)), BoundOptions.Ibp);
        Assert.That(ibp[graph.OutputIndex].Upper.isfinite().all().item<bool>(), Is.False, "the test network no longer overflows IBP");
        using var runner = new OnnxRuntimeRunner(model);
        var result = Verifier.Check(graph, runner, property, VerifierOptions.Default with { TimeoutSeconds = 30 });
        Assert.That(result.Verdict, Is.EqualTo(Verdict.Violated), result.Reason);
        Assert.That(result.Counterexample!.Case, Is.EqualTo(11));
    }
}
