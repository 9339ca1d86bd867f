using TorchSharp;
using Verify.Training.Bounds;
using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>
/// The fused cross-entropy bound: sound (at least the loss at every sampled point of the box), and, for one hidden layer
/// (where CROWN with fixed IBP pre-activation bounds is the exact maximum over the relaxed set, hence subadditive in
/// the specification), never looser than the chords applied to the per-class CROWN-IBP bounds:
/// fused ≤ M + log Σ_j (intercept_j + a_j U_j), U_j = per-class CROWN-IBP upper bound of z_j - z_y.
/// </summary>
public class LossFusionTests
{
    static Network Mlp(int[] widths, long seed)
    {
        torch.manual_seed(seed);
        var layers = new List<Layer> { new FlattenLayer() };
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            layers.Add(new LinearLayer(nn.Linear(widths[i], widths[i + 1])));
            if (i + 2 < widths.Length) layers.Add(new ReluLayer());
        }
        return new Network("mlp", layers, new long[] { 1, 1, widths[0] });
    }

    static (Tensor X, Tensor Y) Batch(int n, int inputs, int classes, long seed)
    {
        var gen = new Generator((ulong)seed, CPU);
        return (torch.rand(new long[] { n, 1, 1, inputs }, generator: gen), torch.randint(0, classes, new long[] { n }, generator: gen, dtype: ScalarType.Int64));
    }

    [TestCase(new[] { 6, 16, 5 }, 0.05, 1)]
    [TestCase(new[] { 6, 16, 5 }, 0.2, 2)]
    [TestCase(new[] { 8, 12, 10, 7 }, 0.1, 3)]
    public void FusedBoundIsAtLeastTheSampledLoss(int[] widths, double eps, long seed)
    {
        var net = Mlp(widths, seed);
        var (x, y) = Batch(8, widths[0], widths[^1], seed);
        var (lo, hi) = PixelBall.Of(x, eps);
        var state = RunState.Eval();
        using var noGrad = torch.no_grad();
        var bound = LossFusion.Upper(net, IbpPass.LayerInputs(net, lo, hi, state), y, lo, hi, state).Upper;
        var gen = new Generator((ulong)seed + 100, CPU);
        double closest = double.PositiveInfinity;
        for (int i = 0; i < x.shape[0]; i++)
        {
            // 2000 points: uniform in the box, and its vertices at random.
            var u = torch.rand(new long[] { 2000, 1, 1, widths[0] }, generator: gen);
            var vertex = torch.rand(new long[] { 2000, 1, 1, widths[0] }, generator: gen).gt(0.5).to(ScalarType.Float32);
            var t = torch.cat(new[] { u[..1000], vertex[1000..] });
            var pts = lo[i] + t * (hi[i] - lo[i]);
            var ce = nn.functional.cross_entropy(net.forward(pts), y[i].expand(2000), reduction: nn.Reduction.None);
            double worst = ce.max().item<float>(), b = bound[i].item<float>();
            Assert.That(worst, Is.LessThanOrEqualTo(b + 1e-4 + 1e-5 * Math.Abs(b)), $"image {i}");
            closest = Math.Min(closest, b - worst);
        }
        TestContext.Out.WriteLine($"smallest gap bound - sampled worst: {closest:G4}");
    }

    [TestCase(0.05, 4)]
    [TestCase(0.15, 5)]
    [TestCase(0.4, 6)]
    public void OneHiddenLayerFusedIsNoLooserThanChordsOfPerClassBounds(double eps, long seed)
    {
        var net = Mlp(new[] { 10, 24, 6 }, seed);
        var (x, y) = Batch(16, 10, 6, seed);
        var (lo, hi) = PixelBall.Of(x, eps);
        var state = RunState.Eval();
        using var noGrad = torch.no_grad();
        var boxes = IbpPass.LayerInputs(net, lo, hi, state);
        var fused = LossFusion.Upper(net, boxes, y, lo, hi, state);
        var c = MarginSpec.Matrix(y, 6);
        var upperMargins = -CrownIbp.SpecLower(net, boxes, c, lo, hi, state);          // U_j ≥ max (z_j - z_y)
        var limit = fused.Shift + (fused.Intercepts + fused.Slopes * upperMargins).sum(1).log();
        var perClass = MarginSpec.RobustLoss(-upperMargins, y);                          // CE on the worst-case logits, per image below
        var perClassEach = nn.functional.cross_entropy(upperMargins, y, reduction: nn.Reduction.None);
        for (int i = 0; i < x.shape[0]; i++)
            Assert.That(fused.Upper[i].item<float>(), Is.LessThanOrEqualTo(limit[i].item<float>() + 1e-4), $"image {i}");
        TestContext.Out.WriteLine($"eps {eps}: mean fused {fused.Upper.mean().item<float>():G4}, mean per-class {perClassEach.mean().item<float>():G4} ({perClass.item<float>():G4})");
    }

    [Test]
    public void CrownIbpWithLossFusionCertifies()
    {
        var net = SyntheticData.Small(conv: true, batchNorm: false, seed: 3);
        ModelZoo.IbpInit(net);
        var options = new Verify.Training.Methods.TrainOptions
        {
            Method = Verify.Training.Methods.TrainingMethod.CrownIbp, LossFusion = true, Eps = 0.1, TrainEps = 0.1, Epochs = 12,
            WarmupEpochs = 1, RampEpochs = 5, BatchSize = 50, LearningRate = 5e-3, EvalCount = 100, EvalPgdSteps = 2, TightnessCount = 10,
        };
        var history = new Verify.Training.Methods.Trainer(net, options).Run(SyntheticData.Clusters(300, 1), SyntheticData.Clusters(100, 2));
        Assert.That(history[^1].IbpCertifiedAccuracy, Is.GreaterThanOrEqualTo(0.9));
    }

    [Test]
    public void GatheredIbpMarginsEqualTheFoldedSpecification()
    {
        var net = Mlp(new[] { 10, 24, 16, 7 }, 8);
        var (x, y) = Batch(9, 10, 7, 8);
        var (lo, hi) = PixelBall.Of(x, 0.1);
        using var noGrad = torch.no_grad();
        var boxes = IbpPass.LayerInputs(net, lo, hi, RunState.Eval());
        var folded = IbpPass.SpecLower(net, boxes, MarginSpec.Matrix(y, 7));
        var gathered = FoldedIbp.MarginLower(net, boxes, y);
        Assert.That((folded - gathered).abs().max().item<float>(), Is.LessThan(1e-5f));
        Assert.That(gathered.gather(1, y.unsqueeze(1)).abs().max().item<float>(), Is.EqualTo(0f), "the label's own margin is 0");
    }
}
