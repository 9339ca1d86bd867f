using TorchSharp;
using Verify.Bounds;
using Verify.Graph;
using Verify.Import;
using Verify.Training.Bounds;
using Verify.Training.Export;
using Verify.Training.Models;
using Verify.Verification;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>
/// The training-side bounds against independent computations: the engine's bounds on the exported ONNX file, ONNX
/// Runtime's outputs, sampling, and the natural loss.
/// </summary>
public class BoundsTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-training-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static IEnumerable<TestCaseData> Networks()
    {
        yield return new TestCaseData(false, false).SetName("Mlp");
        yield return new TestCaseData(true, false).SetName("Cnn");
        yield return new TestCaseData(true, true).SetName("CnnBatchNorm");
        yield return new TestCaseData(false, true).SetName("MlpBatchNorm");
    }

    static Network Net(bool conv, bool bn)
    {
        var net = SyntheticData.Small(conv, bn, seed: 17);
        SyntheticData.RandomizeBatchNorm(net, 4);
        return net;
    }

    [TestCaseSource(nameof(Networks))]
    public void TrainingBoundsEqualTheEngineOnTheExportedFile(bool conv, bool bn)
    {
        var net = Net(conv, bn);
        var path = Path.Combine(dir, "net.onnx");
        OnnxExport.Save(net, path);
        using var scope = torch.NewDisposeScope();
        var set = SyntheticData.Clusters(6, 8);
        double eps = 0.07;
        var state = RunState.Eval();
        var (lo, hi) = PixelBall.Of(set.Images, eps);
        var c = MarginSpec.Matrix(set.Labels, 10);
        Tensor ibp, crown;
        using (torch.no_grad())
        {
            var boxes = IbpPass.LayerInputs(net, lo, hi, state);
            ibp = IbpPass.SpecLower(net, boxes, c);
            crown = CrownIbp.SpecLower(net, boxes, c, lo, hi, state);
        }
        // The engine in float64 on the float32 file.
        var graph = OnnxImporter.Load(path).To(torch.CPU, ScalarType.Float64);
        var box = new IntervalBounds(lo.to(ScalarType.Float64).reshape(ComputationGraph.Batched(6, graph.InputShape)),
            hi.to(ScalarType.Float64).reshape(ComputationGraph.Batched(6, graph.InputShape)));
        var c64 = c.to(ScalarType.Float64);
        var zero = torch.zeros(6, 10, dtype: ScalarType.Float64);
        var engineIbp = BoundComputer.SpecLower(graph, BoundComputer.Intermediate(graph, box, BoundOptions.Ibp), c64, zero, BoundMethod.Ibp);
        var crownIbpOptions = new BoundOptions(BoundMethod.Ibp);
        var engineCrown = BoundComputer.SpecLower(graph, BoundComputer.Intermediate(graph, box, crownIbpOptions), c64, zero, BoundMethod.Crown);
        AssertClose(ibp, engineIbp);
        AssertClose(crown, engineCrown);
        // CROWN-IBP is never looser than IBP on these specs... not guaranteed in general; only check both are sound below.
        var samples = SampleMargins(net, set, eps, c);
        Assert.That((ibp - 1e-5 <= samples).all().item<bool>(), "IBP margin bound above a sampled margin");
        Assert.That((crown - 1e-5 <= samples).all().item<bool>(), "CROWN-IBP margin bound above a sampled margin");
    }

    static void AssertClose(Tensor ours, Tensor engine)
    {
        var diff = (ours.to(ScalarType.Float64) - engine).abs();
        var scale = engine.abs().clamp_min(1);
        double worst = (diff / scale).max().item<double>();
        Assert.That(worst, Is.LessThan(1e-5), $"largest relative difference {worst:G3}");
    }

    /// <summary>Smallest margin C·logits over random points of the clipped ball (corners and interior) [batch, specs].</summary>
    static Tensor SampleMargins(Network net, Verify.Training.Data.ImageSet set, double eps, Tensor c)
    {
        var (lo, hi) = PixelBall.Of(set.Images, eps);
        var gen = new Generator(5, torch.CPU);
        Tensor? best = null;
        using var noGrad = torch.no_grad();
        for (int k = 0; k < 200; k++)
        {
            var u = torch.rand(lo.shape, generator: gen);
            if (k % 2 == 0) u = u.round();
            var z = net.Forward(lo + (hi - lo) * u, RunState.Eval());
            var m = c.matmul(z.unsqueeze(2)).squeeze(2);
            best = best is null ? m : torch.minimum(best, m);
        }
        return best!;
    }

    [TestCaseSource(nameof(Networks))]
    public void OnnxRuntimeMatchesTorchSharpOnTheExportedFile(bool conv, bool bn)
    {
        var net = Net(conv, bn);
        var path = Path.Combine(dir, "net.onnx");
        OnnxExport.Save(net, path);
        var set = SyntheticData.Clusters(5, 3);
        using var runner = new OnnxRuntimeRunner(path);
        Tensor ours;
        using (torch.no_grad()) ours = net.Forward(set.Images, RunState.Eval());
        for (int i = 0; i < 5; i++)
        {
            var x = set.Images[i].flatten().data<float>().Select(v => (double)v).ToArray();
            var ort = runner.Run(x);
            var mine = ours[i].data<float>().ToArray();
            for (int k = 0; k < 10; k++) Assert.That(ort[k], Is.EqualTo(mine[k]).Within(1e-5), $"image {i} output {k}");
        }
    }

    [TestCase("mlp", false)]
    [TestCase("cnn-small", true)]
    [TestCase("dm-small", false)]
    [TestCase("dm-medium", true)]
    public void ZooModelsExportToWhatOnnxRuntimeComputes(string name, bool bn)
    {
        torch.manual_seed(1);
        var net = ModelZoo.Create(name, bn, InitKind.Default, torch.CPU);
        SyntheticData.RandomizeBatchNorm(net, 2);
        var path = Path.Combine(dir, $"{name}.onnx");
        OnnxExport.Save(net, path);
        var x = torch.rand(2, 1, 28, 28, generator: new Generator(3, torch.CPU));
        Tensor ours;
        using (torch.no_grad()) ours = net.Forward(x, RunState.Eval());
        Assert.That(ours.shape, Is.EqualTo(new long[] { 2, 10 }));
        using var runner = new OnnxRuntimeRunner(path);
        for (int i = 0; i < 2; i++)
        {
            var ort = runner.Run(x[i].flatten().data<float>().Select(v => (double)v).ToArray());
            var mine = ours[i].data<float>().ToArray();
            for (int k = 0; k < 10; k++) Assert.That(ort[k], Is.EqualTo(mine[k]).Within(1e-5 * Math.Max(1, Math.Abs(mine[k]))), $"{name} image {i} output {k}");
        }
    }

    [Test]
    public void UnknownModelIsAUserError() =>
        Assert.That(Assert.Throws<VerifyException>(() => ModelZoo.Create("vgg", false, InitKind.Default, torch.CPU))!.Message, Does.Contain("unknown model 'vgg'"));

    [Test]
    public void RobustLossIsAtLeastTheNaturalLoss()
    {
        foreach (var (conv, bn) in new[] { (false, false), (true, true) })
        {
            var net = Net(conv, bn);
            var set = SyntheticData.Clusters(50, 6);
            using var noGrad = torch.no_grad();
            var state = RunState.Eval();
            var natural = nn.functional.cross_entropy(net.Forward(set.Images, state), set.Labels).item<float>();
            var (lo, hi) = PixelBall.Of(set.Images, 0.05);
            var boxes = IbpPass.LayerInputs(net, lo, hi, state);
            var c = MarginSpec.Matrix(set.Labels, 10);
            var ibp = MarginSpec.RobustLoss(IbpPass.SpecLower(net, boxes, c), set.Labels).item<float>();
            var crown = MarginSpec.RobustLoss(CrownIbp.SpecLower(net, boxes, c, lo, hi, state), set.Labels).item<float>();
            Assert.That(ibp, Is.GreaterThanOrEqualTo(natural));
            Assert.That(crown, Is.GreaterThanOrEqualTo(natural - 1e-6));
            // At eps = 0 the bounds are the logits' margins: the robust loss equals the natural loss.
            var zeroBoxes = IbpPass.LayerInputs(net, set.Images, set.Images, state);
            var exact = MarginSpec.RobustLoss(IbpPass.SpecLower(net, zeroBoxes, c), set.Labels).item<float>();
            Assert.That(exact, Is.EqualTo(natural).Within(1e-4));
        }
    }

    [Test]
    public void BatchStatisticsAreConstantsOfTheBoundPass()
    {
        // In training mode the bound pass uses the clean batch's statistics: at eps = 0 its bounds equal the
        // training-mode logits' margins.
        var net = Net(true, true);
        var set = SyntheticData.Clusters(40, 6);
        using var noGrad = torch.no_grad();
        var state = RunState.Train();
        var z = net.Forward(set.Images, state);
        var c = MarginSpec.Matrix(set.Labels, 10);
        var margins = c.matmul(z.unsqueeze(2)).squeeze(2);
        var bounds = IbpPass.SpecLower(net, IbpPass.LayerInputs(net, set.Images, set.Images, state), c);
        Assert.That((margins - bounds).abs().max().item<float>(), Is.LessThan(1e-4));
    }

    [Test]
    public void TightnessIsOneForALinearNetworkWithPositiveWeights()
    {
        // With nonnegative weights |prod W| = prod |W|: IBP is exact.
        var net = SyntheticData.Small(conv: false, batchNorm: false, seed: 2);
        using (torch.no_grad())
            foreach (var l in net.Layers.OfType<LinearLayer>()) { l.Weight.abs_(); l.Bias.abs_(); }
        var x = SyntheticData.Clusters(10, 1).Images;
        Assert.That(Tightness.Measure(net, x), Is.EqualTo(1).Within(1e-5));
        var random = SyntheticData.Small(conv: false, batchNorm: false, seed: 2);
        Assert.That(Tightness.Measure(random, x), Is.LessThan(0.9));
    }
}
