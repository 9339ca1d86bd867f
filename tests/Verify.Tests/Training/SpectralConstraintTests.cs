using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using Verify.Import;
using Verify.Training.Certification;
using Verify.Training.Export;
using Verify.Training.Lipschitz;
using Verify.Training.Methods;
using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>
/// Spectrally constrained training against independent computations: every layer's largest singular value as an
/// operator (MathNet SVD of the dense matrix of the layer, built from its responses to basis images), the l2 bound of
/// the exported file, and certified ≤ PGD ≤ clean; claimed Lipschitz bounds are refused unless LipSDP confirms them.
/// </summary>
public class SpectralConstraintTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-spectral-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    /// <summary>The largest singular value of a linear or conv layer's operator on its per-sample input shape, by MathNet.</summary>
    static double OperatorNorm(Network net, Layer layer)
    {
        var shape = net.Shapes[layer.Index];
        long n = shape.Aggregate(1L, (a, b) => a * b);
        using var noGrad = torch.no_grad();
        var basis = torch.eye(n).reshape(new[] { n }.Concat(shape).ToArray());
        var response = layer.Forward(basis, RunState.Eval()) - layer.Forward(torch.zeros_like(basis), RunState.Eval());
        var cols = response.reshape(n, -1).to(ScalarType.Float64).contiguous();
        var m = Matrix<double>.Build.DenseOfRowMajor((int)n, (int)cols.shape[1], cols.data<double>().ToArray());
        return m.Svd(computeVectors: false).S[0];
    }

    static TrainOptions Options(double cap, SpectralMethod method, int constrained) => new()
    {
        Method = TrainingMethod.Natural, Epochs = 4, BatchSize = 50, LearningRate = 1e-2, EvalCount = 50, EvalPgdSteps = 0,
        TightnessCount = 10, GradClip = 0, SpectralNorm = cap, SpectralMethod = method, SpectralLearningRate = 0.05,
        Margin = MarginLoss.For(Math.Pow(cap, constrained), 0.2, 0.25),
    };

    [TestCase(false, SpectralMethod.PowerIteration)]
    [TestCase(true, SpectralMethod.PowerIteration)]
    [TestCase(false, SpectralMethod.Orthogonalized)]
    [TestCase(true, SpectralMethod.Orthogonalized)]
    [TestCase(false, SpectralMethod.Projection)]
    public void EveryLayerEndsAtMostTheCap(bool conv, SpectralMethod method)
    {
        var net = SyntheticData.Small(conv, false, seed: 3);
        var layers = net.Layers.Where(l => l is LinearLayer or ConvLayer).ToList();
        const double cap = 0.9;
        var train = SyntheticData.Clusters(300, 1);
        new Trainer(net, Options(cap, method, layers.Count)).Run(train, SyntheticData.Clusters(50, 2));
        var norms = layers.Select(l => OperatorNorm(net, l)).ToArray();
        foreach (var s in norms) Assert.That(s, Is.LessThanOrEqualTo(cap * (1 + 1e-5)), string.Join(", ", norms));
        Assert.That(norms.Max(), Is.GreaterThan(0.5 * cap), "training pushes some layer up to the cap");
    }

    [Test]
    public void OrthogonalisedUpdatesKeepMatricesBelowTheCapAtEveryStep()
    {
        var net = SyntheticData.Small(false, false, seed: 5);
        const double cap = 0.7;
        var c = new SpectralConstraint(net, cap, SpectralMethod.Orthogonalized, 0.1, 1);
        c.Step();
        c.Finish();
        var set = SyntheticData.Clusters(100, 3);
        var opt = optim.SGD(c.OptimizerParameters(net), 0.01);
        for (int t = 0; t < 30; t++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            nn.functional.cross_entropy(net.Forward(set.Images, RunState.Train()), set.Labels).mul(100).backward();
            opt.step();
            c.Step();
            for (int k = 0; k < c.Layers; k++) Assert.That(c.ExactNorm(k), Is.LessThanOrEqualTo(cap * (1 + 1e-5)), $"step {t} layer {k}");
        }
    }

    [Test]
    public void TheExportedBoundIsTheProductAndCertifiedStaysBelowPgd()
    {
        var net = SyntheticData.Small(true, false, seed: 7);
        var layers = net.Layers.Count(l => l is LinearLayer or ConvLayer);
        const double cap = 1.2;
        var train = SyntheticData.Clusters(300, 1);
        new Trainer(net, Options(cap, SpectralMethod.PowerIteration, layers) with { Epochs = 8 }).Run(train, SyntheticData.Clusters(50, 2));
        var path = Path.Combine(dir, "spectral.onnx");
        OnnxExport.Save(net, path);
        var graph = OnnxImporter.Load(path).To(torch.CPU, ScalarType.Float64);
        var bound = L2Lipschitz.Bound(graph, new L2BoundOptions(L2BoundMethod.Auto, LipSdpSeconds: 5));
        Assert.That(bound.Naive, Is.LessThanOrEqualTo(Math.Pow(cap, layers) * (1 + 1e-4)));
        Assert.That(bound.Value, Is.LessThanOrEqualTo(bound.Naive));
        var test = SyntheticData.Clusters(200, 4);
        Func<Tensor, Tensor> logits = x => graph.Forward(x.to(ScalarType.Float64).reshape(x.shape[0], 1, 1, 4, 4)).reshape(x.shape[0], -1);
        var acc = L2Evaluation.Run(logits, test, bound.Value, 0.2, pgdSteps: 20, restarts: 2, attackLogits: x => net.Forward(x, RunState.Eval()));
        Assert.That(acc.Clean, Is.GreaterThan(0.5), "it learns something");
        Assert.That(acc.Inconsistent, Is.EqualTo(0));
        Assert.That(acc.Certified, Is.LessThanOrEqualTo(acc.Pgd));
        Assert.That(acc.Pgd, Is.LessThanOrEqualTo(acc.Clean));
    }

    [Test]
    public void AClaimedBoundBelowLipSdpIsRefused()
    {
        var net = SyntheticData.Small(false, false, seed: 9);
        var path = Path.Combine(dir, "plain.onnx");
        OnnxExport.Save(net, path);
        var graph = OnnxImporter.Load(path).To(torch.CPU, ScalarType.Float64);
        double sampled = Verify.Lipschitz.Sdp.GlobalL2Analysis.SampledJacobianNorm(Verify.Lipschitz.DenseNetwork.FromGraph(graph), null, null, 200, 1);
        var e = Assert.Throws<VerifyException>(() => L2Lipschitz.Bound(graph, new L2BoundOptions(Claimed: 0.5 * sampled, LipSdpSeconds: 5)));
        Assert.That(e!.Message, Does.Contain("not confirmed"));
    }

    [Test]
    public void AnLbdnGammaIsConfirmedAndUsed()
    {
        torch.manual_seed(2);
        var net = new LbdnNetwork("t", new long[] { 1, 4, 4 }, new long[] { 10, 6 }, 3, 2, torch.CPU);
        var path = Path.Combine(dir, "lbdn.onnx");
        LbdnExport.Save(net, path);
        var graph = OnnxImporter.Load(path).To(torch.CPU, ScalarType.Float64);
        var bound = L2Lipschitz.Bound(graph, new L2BoundOptions(L2BoundMethod.LipSdp, Claimed: 2, LipSdpSeconds: 5));
        Assert.That(bound.Value, Is.LessThanOrEqualTo(2 * (1 + 1e-6)));
        Assert.That(bound.LipSdp, Is.LessThanOrEqualTo(2 * (1 + 1e-6)));
        Assert.That(bound.Naive, Is.GreaterThan(bound.Value), "the product of the fused layers' norms is looser than the construction");
    }
}
