using TorchSharp;
using Verify.Import;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using Verify.Training.Certification;
using Verify.Training.Export;
using Verify.Training.Models;
using Verify.Verification;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>
/// Convolutional sandwich layers (circular, FFT form) against independent computations: dense operators built from
/// the layer's own forward (SVD), sampled difference quotients and Jacobians of whole networks, ONNX Runtime on the
/// exported Pad(wrap) + Conv file, and the per-frequency LMI check against the engine's dense LMI on the densified file.
/// </summary>
public class LbdnCnnTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-lbdn-cnn-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    /// <summary>Draws every parameter of <paramref name="module"/> at random (scales kept positive, Ψ within about e^±1.5).</summary>
    static void Randomise(nn.Module module, long seed)
    {
        using var noGrad = torch.no_grad();
        var gen = new Generator((ulong)seed, torch.CPU);
        foreach (var (name, p) in module.named_parameters())
        {
            p.copy_(torch.randn(p.shape, generator: gen) * (name.EndsWith("log_psi") ? 0.5 : 1.5));
            if (name.EndsWith("scale")) p.abs_().add_(0.1);
        }
    }

    /// <summary>A small conv LBDN on 1x8x8 inputs: circular sandwich convolutions (default 3, 4 channels), one dense layer of 12.</summary>
    static LbdnNetwork RandomNet(double gamma, long seed, ScalarType dtype = ScalarType.Float32, long[]? channels = null)
    {
        torch.manual_seed(seed);
        var saved = torch.get_default_dtype();
        torch.set_default_dtype(dtype);
        try
        {
            var net = new LbdnNetwork("t", new long[] { 1, 8, 8 }, channels ?? new long[] { 3, 4 }, 3, new long[] { 12 }, 3, gamma, torch.CPU);
            Randomise(net, seed);
            return net;
        }
        finally { torch.set_default_dtype(saved); }
    }

    /// <summary>Rows of the Jacobian of <paramref name="f"/> at x [1, ...], one backward pass over a batch of copies.</summary>
    static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x)
    {
        long outputs = f(x).numel();
        var copies = x.expand(new[] { outputs }.Concat(x.shape.Skip(1)).ToArray()).clone().requires_grad_(true);
        var y = f(copies).reshape(outputs, -1);
        var grad = torch.autograd.grad(new[] { (y * torch.eye(outputs, dtype: y.dtype)).sum() }, new[] { copies })[0];
        return grad.reshape(outputs, -1);
    }

    static double Norm2(Tensor m) => torch.linalg.svdvals(m).max().item<double>();

    [Test]
    public void ConvSandwichLayerHasUnitaryFactorsAndJacobiansOfNormAtMostOne()
    {
        torch.manual_seed(1);
        var saved = torch.get_default_dtype();
        torch.set_default_dtype(ScalarType.Float64);
        ConvSandwichLayer layer;
        try { layer = new ConvSandwichLayer("s", 2, 3, 8, 3, torch.CPU); }
        finally { torch.set_default_dtype(saved); }
        Randomise(layer, 1);
        using (torch.no_grad())
        {
            var (a, b) = layer.Factors();
            // dense operators of A (q→q) and B (p→q) from the layer's own circulant products on the unit vectors
            var aOp = Circulant.Apply(a, torch.eye(3 * 64, dtype: ScalarType.Float64).reshape(-1, 3, 8, 8)).reshape(3 * 64, -1).t();
            var bOp = Circulant.Apply(b, torch.eye(2 * 64, dtype: ScalarType.Float64).reshape(-1, 2, 8, 8)).reshape(2 * 64, -1).t();
            var gram = aOp.matmul(aOp.t()) + bOp.matmul(bOp.t());
            Assert.That((gram - torch.eye(3 * 64, dtype: ScalarType.Float64)).abs().max().item<double>(), Is.LessThan(1e-9), "A Aᵀ + B Bᵀ = I");
            var gen = new Generator(2, torch.CPU);
            for (int s = 0; s < 5; s++)
            {
                var d = torch.rand(new long[] { 3 * 64 }, dtype: ScalarType.Float64, generator: gen);
                Assert.That(Norm2(2 * aOp.t().matmul(d.unsqueeze(1) * bOp)), Is.LessThanOrEqualTo(1 + 1e-5), "2AᵀDB for D in [0, 1]");
            }
        }
        var rng = new Generator(3, torch.CPU);
        double worst = 0;
        for (int s = 0; s < 6; s++)
        {
            var x = torch.randn(new long[] { 1, 2, 8, 8 }, dtype: ScalarType.Float64, generator: rng) * 2;
            worst = Math.Max(worst, Norm2(Jacobian(layer.Forward, x)));
        }
        Assert.That(worst, Is.LessThanOrEqualTo(1 + 1e-5), "exact Jacobian norms of the layer's forward");
        Assert.That(worst, Is.GreaterThan(0.05), "the layer is not (nearly) constant");
    }

    [TestCase(1.0, 4)]
    [TestCase(2.5, 5)]
    public void ConvLbdnDifferenceQuotientsAndJacobiansStayBelowGamma(double gamma, long seed)
    {
        var net = RandomNet(gamma, seed, ScalarType.Float64);
        var gen = new Generator((ulong)seed + 10, torch.CPU);
        double worstJ = 0, worstQ = 0;
        for (int s = 0; s < 10; s++)
        {
            var x = torch.randn(new long[] { 1, 1, 8, 8 }, dtype: ScalarType.Float64, generator: gen);
            worstJ = Math.Max(worstJ, Norm2(Jacobian(net.forward, x)));
            using var noGrad = torch.no_grad();
            var y = x + torch.randn(x.shape, dtype: ScalarType.Float64, generator: gen) * (s % 2 == 0 ? 1e-3 : 1.0);
            worstQ = Math.Max(worstQ, (net.forward(y) - net.forward(x)).norm().item<double>() / (y - x).norm().item<double>());
        }
        Assert.That(worstJ, Is.LessThanOrEqualTo(gamma * (1 + 1e-6)));
        Assert.That(worstQ, Is.LessThanOrEqualTo(gamma * (1 + 1e-6)));
        Assert.That(worstJ, Is.GreaterThan(0), "the network is not constant");
    }

    [Test]
    public void ExportedConvLbdnComputesWhatTheNetworkComputesInOnnxRuntime()
    {
        var net = RandomNet(2, 6);
        var path = Path.Combine(dir, "cnn.onnx");
        LbdnExport.Save(net, path);
        var x = torch.rand(new long[] { 4, 1, 8, 8 }, generator: new Generator(9, torch.CPU));
        Tensor ours;
        using (torch.no_grad()) ours = net.forward(x);
        using var runner = new OnnxRuntimeRunner(path);
        var graph = OnnxImporter.Load(path);
        for (int i = 0; i < 4; i++)
        {
            var input = x[i].flatten().data<float>().Select(v => (double)v).ToArray();
            var ort = runner.Run(input);
            var engine = graph.Forward(x[i].unsqueeze(0)).flatten().data<float>().ToArray();
            var mine = ours[i].data<float>().ToArray();
            for (int k = 0; k < 3; k++)
            {
                Assert.That(ort[k], Is.EqualTo(mine[k]).Within(1e-4 * Math.Max(1, Math.Abs(mine[k]))), $"ONNX Runtime, image {i} output {k}");
                Assert.That(engine[k], Is.EqualTo(mine[k]).Within(1e-4 * Math.Max(1, Math.Abs(mine[k]))), $"engine, image {i} output {k}");
            }
        }
        Assert.That(graph.Nodes.Skip(1).Select(n => n.Op.OpType).Distinct(), Is.SubsetOf(new[] { "Pad", "Conv", "Relu", "Reshape", "Gemm", "Linear", "AddConstant" }),
            "plain Pad, Conv, Relu, Flatten and Gemm layers");
    }

    [TestCase(1.0, 7)]
    [TestCase(3.0, 8)]
    public void PerFrequencyLmiCertifiesGammaLikeTheDenseLmiAndRefusesWhatItCannotConfirm(double gamma, long seed)
    {
        var net = RandomNet(gamma, seed, channels: new long[] { 4 }); // one convolution, as lbdn-cnn
        var path = Path.Combine(dir, "cnn.onnx");
        LbdnExport.Save(net, path);
        var meta = LbdnMetadata.Read(path)!;
        var graph = OnnxImporter.Load(path).To(torch.CPU, ScalarType.Float64);
        var bound = L2Lipschitz.Bound(graph, new L2BoundOptions(), meta);
        Assert.That(bound.Lmi, Is.Not.Null.And.LessThanOrEqualTo(gamma * (1 + 1e-6)), "the construction's gamma, checked per frequency");
        Assert.That(bound.Value, Is.LessThanOrEqualTo(gamma * (1 + 1e-6)));

        // the same certificate on the densified file (dense matrices, no Fourier transform): T = γΨ² per neuron, ρ = γ²
        var dense = DenseNetwork.FromGraph(graph);
        var chain = CirculantChain.From(graph);
        int conv = (int)chain.Channels.Skip(1).Sum();
        var expanded = chain.Channels.Skip(1).SelectMany((c, k) => Enumerable.Range(0, (int)c)
                .SelectMany(ch => Enumerable.Repeat(gamma * meta.Multipliers[(int)chain.Channels.Skip(1).Take(k).Sum() + ch], 64)))
            .Concat(meta.Multipliers.Skip(conv)).ToArray();
        double sampled = GlobalL2Analysis.SampledJacobianNorm(dense, null, null, 128, 3);
        Assert.That(ReducedLipSdpLmi.Certify(dense, expanded, gamma), Is.Not.Null.And.LessThanOrEqualTo(gamma * (1 + 1e-6)), "the dense LMI agrees");
        Assert.That(ReducedLipSdpLmi.Certify(dense, expanded, 0.98 * sampled), Is.Null, "and certifies nothing below a true Jacobian norm");
        Assert.That(bound.Value, Is.GreaterThanOrEqualTo(sampled * (1 - 1e-9)), "never below a sampled Jacobian norm");
        Assert.That(CirculantLmi.OperatorNorm(chain.Convolutions[0]), Is.EqualTo(Norm2(DenseMatrix(dense.Layers[0]))).Within(1e-9),
            "the per-frequency norm of the first convolution is the SVD norm of its dense matrix");
        Assert.That(bound.Naive, Is.GreaterThanOrEqualTo(bound.Value * (1 - 1e-9)));

        Assert.Throws<VerifyException>(() => L2Lipschitz.Bound(graph, new L2BoundOptions(Claimed: sampled * 0.99), meta), "a claim below a true norm");
        var scaled = graph.Map(t => t.is_floating_point() ? t * 1.05 : t); // every weight 5% larger: the file's operator changed
        var tampered = L2Lipschitz.Bound(scaled, new L2BoundOptions(), meta);
        Assert.That(tampered.Lmi, Is.Null, "the multipliers no longer certify gamma for the changed weights");
        Assert.Throws<VerifyException>(() => L2Lipschitz.Bound(scaled, new L2BoundOptions(Claimed: gamma), meta));
    }

    static Tensor DenseMatrix(DenseLayer layer)
    {
        var w = new double[layer.Outputs * layer.Inputs];
        Buffer.BlockCopy(layer.Weight, 0, w, 0, w.Length * sizeof(double));
        return torch.tensor(w, dtype: ScalarType.Float64).reshape(layer.Outputs, layer.Inputs);
    }

    [Test]
    public void LbdnCnnIsAvailableFromTheZoo()
    {
        var net = LbdnZoo.Create("lbdn-cnn", 1, torch.CPU);
        Assert.That(net.Convolutions, Has.Count.EqualTo(LbdnZoo.CnnChannels.Length));
        using var noGrad = torch.no_grad();
        Assert.That(net.forward(torch.zeros(2, 1, 28, 28)).shape, Is.EqualTo(new long[] { 2, 10 }));
    }
}
