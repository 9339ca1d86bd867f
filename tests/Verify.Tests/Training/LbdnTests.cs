using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using Verify.Import;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using Verify.Training.Certification;
using Verify.Training.Export;
using Verify.Training.Lipschitz;
using Verify.Training.Methods;
using Verify.Training.Models;
using Verify.Verification;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>
/// Sandwich networks against independent computations: the orthogonality of the Cayley transform, sampled Jacobian
/// norms (MathNet SVD) and difference quotients for random parameters, ONNX Runtime on the exported file, LipSDP on
/// it, and certified ≤ PGD ≤ clean after training.
/// </summary>
public class LbdnTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-lbdn-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    /// <summary>A small LBDN on 1x4x4 inputs with every parameter drawn at random (including Ψ, biases and scales).</summary>
    static LbdnNetwork RandomNet(double gamma, long seed, long classes = 3)
    {
        torch.manual_seed(seed);
        var net = new LbdnNetwork("t", new long[] { 1, 4, 4 }, new long[] { 12, 8 }, classes, gamma, torch.CPU);
        using var noGrad = torch.no_grad();
        var gen = new Generator((ulong)seed, torch.CPU);
        foreach (var p in net.parameters()) p.copy_(torch.randn(p.shape, generator: gen) * 1.5);
        foreach (var s in net.Sandwiches) s.Scale.abs_().add_(0.1);
        return net;
    }

    [Test]
    public void CayleyHasOrthonormalColumns()
    {
        var w = torch.randn(new long[] { 9, 4 }, dtype: ScalarType.Float64, generator: new Generator(3, torch.CPU)) * 3;
        var q = Cayley.Orthonormal(w);
        var gram = Matrix<double>.Build.DenseOfColumnMajor(4, 4, q.t().matmul(q).t().contiguous().data<double>().ToArray());
        Assert.That((gram - Matrix<double>.Build.DenseIdentity(4)).FrobeniusNorm(), Is.LessThan(1e-10));
    }

    [TestCase(1.0, 1)]
    [TestCase(2.5, 2)]
    [TestCase(0.3, 3)]
    public void SampledJacobianNormsAndDifferenceQuotientsStayBelowGamma(double gamma, long seed)
    {
        var net = RandomNet(gamma, seed);
        var gen = new Generator((ulong)seed + 100, torch.CPU);
        double worstJ = 0, worstQ = 0;
        for (int s = 0; s < 40; s++)
        {
            var x = (torch.randn(new long[] { 1, 1, 4, 4 }, generator: gen) * 2).requires_grad_(true);
            var z = net.forward(x);
            var rows = new double[3][];
            for (int k = 0; k < 3; k++)
                rows[k] = torch.autograd.grad(new[] { z[0, k] }, new[] { x }, retain_graph: true)[0].flatten().to(ScalarType.Float64).data<double>().ToArray();
            double norm = Matrix<double>.Build.DenseOfRowArrays(rows).Svd(computeVectors: false).S[0];
            worstJ = Math.Max(worstJ, norm);
            using var noGrad = torch.no_grad();
            var y = x.detach() + torch.randn(x.shape, generator: gen) * (s % 2 == 0 ? 1e-2 : 1.0);
            double quotient = (net.forward(y) - net.forward(x.detach())).norm().item<float>() / (y - x.detach()).norm().item<float>();
            worstQ = Math.Max(worstQ, quotient);
        }
        Assert.That(worstJ, Is.LessThanOrEqualTo(gamma * (1 + 1e-4)), "sampled ||J(x)||_2");
        Assert.That(worstQ, Is.LessThanOrEqualTo(gamma * (1 + 1e-3)), "difference quotients (float32 round-off allowed)");
        Assert.That(worstJ, Is.GreaterThan(0), "the network is not constant");
    }

    [Test]
    public void ExportedFileComputesWhatTheNetworkComputesInOnnxRuntime()
    {
        var net = RandomNet(2, 5);
        var path = Path.Combine(dir, "lbdn.onnx");
        LbdnExport.Save(net, path);
        var x = torch.rand(new long[] { 4, 1, 4, 4 }, generator: new Generator(9, torch.CPU));
        Tensor ours;
        using (torch.no_grad()) ours = net.forward(x);
        using var runner = new OnnxRuntimeRunner(path);
        for (int i = 0; i < 4; i++)
        {
            var ort = runner.Run(x[i].flatten().data<float>().Select(v => (double)v).ToArray());
            var mine = ours[i].data<float>().ToArray();
            for (int k = 0; k < 3; k++) Assert.That(ort[k], Is.EqualTo(mine[k]).Within(1e-4 * Math.Max(1, Math.Abs(mine[k]))), $"image {i} output {k}");
        }
        var graph = OnnxImporter.Load(path);
        Assert.That(graph.Nodes.Select(n => n.Op.OpType).Where(t => t != "Input"), Does.Not.Contain("Mul").And.Not.Contain("MatMul"),
            "plain Gemm and Relu layers");
    }

    [TestCase(1.0, 6)]
    [TestCase(3.0, 7)]
    public void LipSdpOnTheExportedFileConfirmsGamma(double gamma, long seed)
    {
        var net = RandomNet(gamma, seed);
        var path = Path.Combine(dir, "lbdn.onnx");
        LbdnExport.Save(net, path);
        var dense = DenseNetwork.FromGraph(OnnxImporter.Load(path));
        var sdp = LipSdpSolver.Solve(dense, new LipSdpOptions(TimeLimitSeconds: 5));
        double sampled = GlobalL2Analysis.SampledJacobianNorm(dense, null, null, 256, 1);
        Assert.That(sdp.Upper, Is.LessThanOrEqualTo(gamma * (1 + 1e-6)), "LipSDP-Neuron certifies the construction's gamma");
        Assert.That(sdp.Upper, Is.GreaterThanOrEqualTo(sampled * (1 - 1e-6)), "and is no less than a sampled Jacobian norm");
        Assert.That(NaiveLipschitz.SpectralNormProduct(dense), Is.GreaterThanOrEqualTo(sdp.Upper * (1 - 1e-9)));
    }

    [TestCase(1.0, 11)]
    [TestCase(4.0, 12)]
    public void TheFilesMultipliersCertifyGammaInTheLmiAndNothingBelowASampledNorm(double gamma, long seed)
    {
        var net = RandomNet(gamma, seed);
        var path = Path.Combine(dir, "lbdn.onnx");
        LbdnExport.Save(net, path);
        var meta = LbdnMetadata.Read(path);
        Assert.That(meta, Is.Not.Null);
        Assert.That(meta!.Gamma, Is.EqualTo(gamma));
        var graph = OnnxImporter.Load(path);
        var dense = DenseNetwork.FromGraph(graph);
        var certified = LipSdpLmi.Certify(dense, meta.Multipliers, gamma);
        Assert.That(certified, Is.Not.Null.And.LessThanOrEqualTo(gamma * (1 + 1e-6)));
        double sampled = GlobalL2Analysis.SampledJacobianNorm(dense, null, null, 256, 2);
        Assert.That(LipSdpLmi.Certify(dense, meta.Multipliers, 0.99 * sampled), Is.Null, "no multipliers certify less than a true Jacobian norm");
        var bound = L2Lipschitz.Bound(graph.To(torch.CPU, ScalarType.Float64), new L2BoundOptions(), meta);
        Assert.That(bound.Value, Is.LessThanOrEqualTo(gamma * (1 + 1e-6)));
        Assert.That(bound.LipSdp, Is.Null, "the solver is not needed once the LMI holds");
    }

    [Test]
    public void CertifiedNeverExceedsPgdNorClean()
    {
        var train = SyntheticData.Clusters(300, 1);
        var test = SyntheticData.Clusters(200, 2);
        torch.manual_seed(4);
        var net = new LbdnNetwork("t", new long[] { 1, 4, 4 }, new long[] { 16, 16 }, 3, 1, torch.CPU);
        var options = new LbdnOptions { Gamma = 1, Radius = 0.5, TrainRadius = 0.5, Epochs = 15, BatchSize = 50, LearningRate = 1e-2,
            EvalCount = 200, EvalPgdSteps = 0 };
        new LbdnTrainer(net, options).Run(train, test);
        var acc = L2Evaluation.Run(v => net.forward(v), test, 1, 0.5, pgdSteps: 20, restarts: 2);
        Assert.That(acc.Clean, Is.GreaterThan(0.9), "it learns the clusters");
        Assert.That(acc.Certified, Is.GreaterThan(0.3), "and certifies some of them");
        Assert.That(acc.Inconsistent, Is.EqualTo(0));
        Assert.That(acc.Certified, Is.LessThanOrEqualTo(acc.Pgd));
        Assert.That(acc.Pgd, Is.LessThanOrEqualTo(acc.Clean));
        double[] curve = L2Evaluation.Curve(acc.Radii, new[] { 0.0, 0.5, 1.0, 10.0 });
        Assert.That(curve[0], Is.EqualTo(acc.Clean).Within(1e-12));
        Assert.That(curve[1], Is.EqualTo(acc.Certified).Within(1e-12));
        Assert.That(curve, Is.Ordered.Descending);
        Assert.That(curve[3], Is.EqualTo(0), "clusters 0.6 apart per pixel cannot be certified at radius 10");
    }

    [Test]
    public void NonPositiveGammaIsAUserError() =>
        Assert.Throws<VerifyException>(() => LbdnZoo.Create("lbdn-mlp", 0, torch.CPU));
}
