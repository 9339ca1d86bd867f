using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using Verify.Training.Export;
using Verify.Training.Lipschitz;
using Verify.Training.Methods;
using Verify.Training.Models;
using Verify.Verification;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>
/// Spectral normalisation as a reparameterisation (<see cref="SpectralMethod.PowerIteration"/>) against independent
/// computations: MathNet SVDs of the weight matrices and of convolution operators built entry by entry, ONNX Runtime
/// on the exported file, and Jacobians of the trained network by autograd.
/// </summary>
public class SpectralNormalizationTests
{
    /// <summary>
    /// Slack on ‖W_eff‖ ≤ S during training. σ̂ = ‖A v‖ ≤ σ, so a capped layer's effective norm is S·σ/σ̂ ≥ S; the
    /// gap is the lag of the power iteration behind weights that move. With the default block of 4 directions, one
    /// iteration per step and Adam at lr 1e-3 (the MNIST runs' rate) the worst ratio measured on these nets was below
    /// 1.0001; 1 % leaves room for other seeds and BLAS paths yet fails a tracker that loses the top direction (a single
    /// vector, Miyato's choice, reached 1.14 here when a second singular value rose past the tracked one).
    /// </summary>
    const double TrainingSlack = 0.01;

    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-sn-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static Matrix<double> Dense(Tensor w)
    {
        var t = w.detach().to(ScalarType.Float64).contiguous();
        return Matrix<double>.Build.DenseOfRowMajor((int)t.shape[0], (int)t.shape[1], t.data<double>().ToArray());
    }

    /// <summary>The convolution's dense matrix, entry by entry from the kernel (rows: output c,i,j; columns: input c,y,x).</summary>
    static Matrix<double> ConvMatrix(Tensor weight, long inC, long h, long w, long stride, long pad)
    {
        var k = weight.detach().to(ScalarType.Float64).contiguous();
        var d = k.data<double>().ToArray();
        long outC = k.shape[0], ks = k.shape[2];
        long oh = (h + 2 * pad - ks) / stride + 1, ow = (w + 2 * pad - ks) / stride + 1;
        var m = Matrix<double>.Build.Dense((int)(outC * oh * ow), (int)(inC * h * w));
        for (long o = 0; o < outC; o++)
        for (long i = 0; i < oh; i++)
        for (long j = 0; j < ow; j++)
        for (long c = 0; c < inC; c++)
        for (long ky = 0; ky < ks; ky++)
        for (long kx = 0; kx < ks; kx++)
        {
            long y = i * stride - pad + ky, x = j * stride - pad + kx;
            if (y < 0 || y >= h || x < 0 || x >= w) continue;
            m[(int)((o * oh + i) * ow + j), (int)((c * h + y) * w + x)] += d[((o * inC + c) * ks + ky) * ks + kx];
        }
        return m;
    }

    static double Norm(Matrix<double> m) => m.Svd(computeVectors: false).S[0];

    [TestCase(32, 16, 1L)]
    [TestCase(10, 40, 2L)]
    [TestCase(64, 64, 3L)]
    public void PowerIterationConvergesToTheExactNormOfRandomMatrices(int rows, int cols, long seed)
    {
        torch.manual_seed(seed);
        var layer = new LinearLayer(nn.Linear(cols, rows));
        using (torch.no_grad()) layer.RawWeight.mul_(5);
        var op = LayerOperator.Of(layer, new long[] { cols }, new Generator((ulong)seed, torch.CPU))!;
        const double cap = 0.5;
        layer.Reparameterization = new SpectralNormalization(op, cap);
        double exact = Norm(Dense(layer.RawWeight));
        Assume.That(exact, Is.GreaterThan(2 * cap), "the cap binds");
        op.Iterate(layer.RawWeight, 1000);
        using var noGrad = torch.no_grad();
        Assert.That(op.Estimate(layer.RawWeight).item<float>(), Is.EqualTo(exact).Within(1e-4).Percent.Or.EqualTo(exact).Within(1e-4 * exact));
        Assert.That(Norm(Dense(layer.Weight)), Is.EqualTo(cap).Within(1e-4 * cap), "the effective weight sits on the cap");
    }

    [TestCase(2L, 1L)]
    [TestCase(1L, 0L)]
    public void PowerIterationConvergesToTheNormOfTheConvolutionOperator(long stride, long pad)
    {
        torch.manual_seed(4);
        var layer = new ConvLayer(nn.Conv2d(2, 3, 3, stride: stride, padding: pad), 3, stride, pad);
        var op = LayerOperator.Of(layer, new long[] { 2, 7, 7 }, new Generator(5, torch.CPU))!;
        const double cap = 0.1;
        layer.Reparameterization = new SpectralNormalization(op, cap);
        double exact = Norm(ConvMatrix(layer.RawWeight, 2, 7, 7, stride, pad));
        Assume.That(exact, Is.GreaterThan(2 * cap), "the cap binds");
        op.Iterate(layer.RawWeight, 1000);
        using var noGrad = torch.no_grad();
        Assert.That(op.Estimate(layer.RawWeight).item<float>(), Is.EqualTo(exact).Within(1e-4 * exact));
        Assert.That(Norm(ConvMatrix(layer.Weight, 2, 7, 7, stride, pad)), Is.EqualTo(cap).Within(1e-4 * cap));
        Assert.That(op.Exact(layer.Weight), Is.EqualTo(cap).Within(1e-4 * cap), "Finish's exact norm agrees");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void EffectiveNormsStayAtMostTheCapAfterEveryStepAndExactlyAfterFinish(bool conv)
    {
        var net = SyntheticData.Small(conv, false, seed: 11);
        using (torch.no_grad())
            foreach (var p in net.parameters()) p.mul_(3);
        const double cap = 0.8;
        var c = new SpectralConstraint(net, cap, SpectralMethod.PowerIteration, 0.02, 1);
        var set = SyntheticData.Clusters(200, 3);
        var adam = optim.Adam(c.OptimizerParameters(net), 1e-3);
        double worst = 0;
        for (int t = 0; t < 100; t++)
        {
            using var scope = torch.NewDisposeScope();
            c.Prepare();
            for (int k = 0; k < c.Layers; k++) worst = Math.Max(worst, c.ExactNorm(k)!.Value / cap);
            adam.zero_grad();
            MarginLoss.For(Math.Pow(cap, c.Layers), 0.2, 0.25).Compute(net.Forward(set.Images, RunState.Train()), set.Labels).backward();
            adam.step();
        }
        Assert.That(worst, Is.LessThanOrEqualTo(1 + TrainingSlack), "effective norm / cap, worst over steps and layers");
        Assert.That(worst, Is.GreaterThan(0.99), "the cap binds");
        var norms = c.Finish();
        var layers = net.Layers.Where(l => l is LinearLayer or ConvLayer).ToList();
        Assert.That(layers.All(l => (l is LinearLayer ll ? ll.Reparameterization : ((ConvLayer)l).Reparameterization) is null), "plain layers after Finish");
        for (int k = 0; k < c.Layers; k++)
        {
            Assert.That(norms[k], Is.LessThanOrEqualTo(cap));
            Assert.That(c.ExactNorm(k), Is.LessThanOrEqualTo(cap * (1 + 1e-6)), $"layer {k}");
        }
        var first = layers.OfType<LinearLayer>().Last();
        Assert.That(Norm(Dense(first.Weight)), Is.LessThanOrEqualTo(cap * (1 + 1e-6)), "MathNet on the output layer");
    }

    static TrainOptions Options(double cap, int layers, int epochs) => new()
    {
        Method = TrainingMethod.Natural, Epochs = epochs, BatchSize = 50, LearningRate = 1e-2, EvalCount = 100, EvalPgdSteps = 0,
        TightnessCount = 10, GradClip = 0, SpectralNorm = cap, SpectralMethod = SpectralMethod.PowerIteration,
        Margin = MarginLoss.For(Math.Pow(cap, layers), 0.2, 0.25),
    };

    [Test]
    public void ExportedOnnxEqualsTheTrainingForward()
    {
        var net = SyntheticData.Small(true, false, seed: 13);
        var train = SyntheticData.Clusters(300, 1);
        var c = new SpectralConstraint(net, 1.0, SpectralMethod.PowerIteration, 0.02, 2);
        var adam = optim.Adam(c.OptimizerParameters(net), 1e-2);
        for (int t = 0; t < 20; t++)
        {
            using var scope = torch.NewDisposeScope();
            c.Prepare();
            adam.zero_grad();
            nn.functional.cross_entropy(net.Forward(train.Images, RunState.Train()), train.Labels).mul(10).backward();
            adam.step();
        }
        var x = SyntheticData.Clusters(6, 9).Images;
        c.Prepare();
        Tensor before, after;
        using (torch.no_grad()) before = net.Forward(x, RunState.Train()).clone();
        c.Finish();
        using (torch.no_grad()) after = net.Forward(x, RunState.Train()).clone();
        var path = Path.Combine(dir, "sn.onnx");
        OnnxExport.Save(net, path);
        using var runner = new OnnxRuntimeRunner(path);
        double scale = after.abs().max().item<float>();
        for (int i = 0; i < 6; i++)
        {
            var ort = runner.Run(x[i].flatten().data<float>().Select(v => (double)v).ToArray());
            var mine = after[i].data<float>().ToArray();
            for (int k = 0; k < 10; k++) Assert.That(ort[k], Is.EqualTo(mine[k]).Within(1e-5 * Math.Max(1, scale)), $"image {i} output {k}");
        }
        // Finish only rescales layers whose power-iteration estimate lagged: the function barely moves
        Assert.That((after - before).abs().max().item<float>(), Is.LessThanOrEqualTo(TrainingSlack * scale));
        var ops = Verify.Import.OnnxImporter.Load(path).Nodes.Select(n => n.Op.OpType).Where(t => t != "Input").Distinct().ToList();
        Assert.That(ops, Is.SubsetOf(new[] { "Conv", "Linear", "Relu", "Reshape" }), string.Join(", ", ops));
    }

    [Test]
    public void SampledJacobianNormsOfTheTrainedNetStayBelowTheProductOfCaps()
    {
        var net = SyntheticData.Small(false, false, seed: 17);
        const double cap = 1.3;
        new Trainer(net, Options(cap, 3, 3)).Run(SyntheticData.Clusters(300, 1), SyntheticData.Clusters(50, 2));
        double bound = Math.Pow(cap, 3), worst = 0;
        var gen = new Generator(21, torch.CPU);
        for (int s = 0; s < 50; s++)
        {
            var x = torch.rand(new long[] { 1, 1, 4, 4 }, generator: gen).requires_grad_(true);
            var z = net.Forward(x, RunState.Eval());
            var rows = Enumerable.Range(0, 10).Select(k =>
                torch.autograd.grad(new[] { z[0, k] }, new[] { x }, retain_graph: true)[0].flatten().to(ScalarType.Float64).data<double>().ToArray()).ToArray();
            worst = Math.Max(worst, Norm(Matrix<double>.Build.DenseOfRowArrays(rows)));
        }
        Assert.That(worst, Is.LessThanOrEqualTo(bound * (1 + 1e-5)));
        Assert.That(worst, Is.GreaterThan(0.1 * bound), "the network is not nearly constant");
    }

    [Test]
    public void PowerNormalisationLearnsASyntheticTask()
    {
        var net = SyntheticData.Small(false, false, seed: 19);
        var history = new Trainer(net, Options(1.0, 3, 4)).Run(SyntheticData.Clusters(300, 1), SyntheticData.Clusters(100, 2));
        Assert.That(history[^1].CleanAccuracy, Is.GreaterThanOrEqualTo(0.9), "three well-separated classes");
    }
}
