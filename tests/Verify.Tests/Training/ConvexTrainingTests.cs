using TorchSharp;
using Verify.Import;
using Verify.Solvers;
using Verify.Training.Convex;
using Verify.Training.Data;
using Verify.Training.Export;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>
/// Convex robust training on tiny problems, against independent solutions: the LP (GLOP) against the first-order
/// solver, the recovered network's exact worst-case hinge loss (SCIP on the exported ONNX) against the program's
/// objective, and the robust loss terms against sampled points of the balls.
/// </summary>
public class ConvexTrainingTests
{
    /// <summary>n points in 2-D: class +1 around (0.7, 0.6), class -1 around (0.3, 0.4), noise ±0.15, a few labels flipped.</summary>
    static ConvexData Tiny(int n, long seed)
    {
        var gen = new Generator((ulong)seed, CPU);
        var y = torch.randint(0, 2, new long[] { n }, generator: gen, dtype: ScalarType.Int64).to(ScalarType.Float64) * 2 - 1;
        var centre = torch.tensor(new[] { 0.5, 0.5 }, dtype: ScalarType.Float64) + y.unsqueeze(1) * torch.tensor(new[] { 0.2, 0.1 }, dtype: ScalarType.Float64);
        var x = centre + (torch.rand(new long[] { n, 2 }, dtype: ScalarType.Float64, generator: gen) * 2 - 1) * 0.15;
        y[0] = -y[0];
        return new ConvexData(x, y);
    }

    static readonly ConvexOptions TinyOptions = new()
    {
        Neurons = 6, Eps = 0.03, Beta = 1e-2, Loss = ConvexLoss.Hinge, Regularizer = ConvexRegularizer.L1, LinearPattern = true,
        Epochs = 3000, BatchSize = 0, LearningRate = 3e-2, Penalty = 20, Seed = 5,
    };

    [Test]
    public void PatternsComeInSignedPairs()
    {
        var data = Tiny(20, 1);
        var p = ActivationPatterns.Sample(data.X, 5, linearPattern: true, seed: 3);
        Assert.That(p.D.shape, Is.EqualTo(new long[] { 20, 5 }));
        Assert.That(p.Signs.data<double>().ToArray(), Is.EqualTo(new[] { 1.0, -1, 1, -1, 1 }));
        Assert.That(p.D[.., 0].sum().item<double>(), Is.EqualTo(20), "pattern 0 is all active");
        Assert.That(p.D[.., 2].eq(p.D[.., 3]).all().item<bool>(), "neurons 2 and 3 share pattern 1");
        Assert.Throws<VerifyException>(() => ActivationPatterns.Sample(data.X, 0, true, 1));
    }

    [Test]
    public void FirstOrderReachesTheLpOptimum()
    {
        var data = Tiny(24, 2);
        var p = ActivationPatterns.Sample(data.X, TinyOptions.Neurons, TinyOptions.LinearPattern, TinyOptions.Seed);
        var lp = LpSolver.Solve(data, p, TinyOptions, "GLOP", 30);
        Assert.That(lp.Gap.MaxViolation, Is.LessThan(1e-6), "the LP point is feasible");
        var fo = FirstOrderSolver.Solve(data, p, TinyOptions);
        double penalised = fo.Objective + TinyOptions.Penalty * fo.Gap.MaxViolation * p.Neurons;
        TestContext.Out.WriteLine($"LP {lp.Objective:G6} first-order {fo.Objective:G6} (max violation {fo.Gap.MaxViolation:G3})");
        // The LP optimum is a lower bound of the penalised objective at any point: the first-order point cannot beat it...
        Assert.That(penalised, Is.GreaterThanOrEqualTo(lp.Objective - 1e-6));
        // ... and the first-order solver gets within 2% of it, nearly feasible.
        Assert.That(fo.Objective, Is.EqualTo(lp.Objective).Within(0.02 * lp.Objective + 1e-3));
        Assert.That(fo.Gap.MaxViolation, Is.LessThan(1e-2));
        // PDLP solves the same LP to its tolerance.
        var pdlp = LpSolver.Solve(data, p, TinyOptions, "PDLP", 30);
        Assert.That(pdlp.Objective, Is.EqualTo(lp.Objective).Within(1e-3 * lp.Objective + 1e-4));
    }

    [Test]
    public void RecoveredNetworkHasTheProgramsWorstCaseLoss()
    {
        var data = Tiny(16, 3);
        var p = ActivationPatterns.Sample(data.X, TinyOptions.Neurons, TinyOptions.LinearPattern, TinyOptions.Seed);
        var lp = LpSolver.Solve(data, p, TinyOptions, "GLOP", 30);
        Assert.That(lp.W.abs().sum().item<double>(), Is.GreaterThan(0.1), "a non-trivial network");
        var net = OneHiddenNetwork.FromSolution(lp, new long[] { 1, 1, 2 }, CPU);
        var dir = Directory.CreateTempSubdirectory("verify-convex-").FullName;
        try
        {
            var path = Path.Combine(dir, "net.onnx");
            OnnxExport.Save(net, path);
            var graph = OnnxImporter.Load(path).To(CPU, ScalarType.Float64);
            double eps = TinyOptions.Eps, total = 0;
            var x = data.X.data<double>().ToArray();
            var y = data.Y.data<double>().ToArray();
            for (int i = 0; i < data.Count; i++)
            {
                var lo = new[] { x[2 * i] - eps, x[2 * i + 1] - eps };
                var hi = new[] { x[2 * i] + eps, x[2 * i + 1] + eps };
                // y·f = y·(z1 - z0): the exact minimum over the ball, by SCIP on the imported ONNX graph.
                var r = MipEncoding.Minimize(graph, lo, hi, new[] { -y[i], y[i] }, 0, 20);
                Assert.That(r.Optimal, $"sample {i}");
                total += Math.Max(0, 1 - r.Value);
            }
            double objective = total / data.Count + TinyOptions.Beta * lp.W.abs().sum().item<double>();
            Assert.That(objective, Is.EqualTo(lp.Objective).Within(1e-5 + 1e-5 * lp.Objective));
        }
        finally { Directory.Delete(dir, true); }
    }

    [TestCase(ConvexLoss.Hinge)]
    [TestCase(ConvexLoss.Squared)]
    public void RobustLossBoundsSampledPoints(ConvexLoss loss)
    {
        var data = Tiny(16, 4);
        var p = ActivationPatterns.Sample(data.X, TinyOptions.Neurons, TinyOptions.LinearPattern, TinyOptions.Seed);
        var lp = LpSolver.Solve(data, p, TinyOptions, "GLOP", 30);
        var options = TinyOptions with { Loss = loss };
        var (terms, _, _) = ConvexProgram.Terms(data, p, lp.W, lp.B, options);
        var net = OneHiddenNetwork.FromSolution(lp, new long[] { 1, 1, 2 }, CPU);
        var gen = new Generator(9, CPU);
        double eps = options.Eps;
        using var noGrad = torch.no_grad();
        for (int i = 0; i < data.Count; i++)
        {
            var xi = data.X[i].to(ScalarType.Float32);
            double yi = data.Y[i].item<double>();
            // 300 uniform points and the 4 corners of the ball.
            var u = (torch.rand(new long[] { 300, 2 }, generator: gen) * 2 - 1) * eps;
            var corners = torch.tensor(new float[] { 1, 1, 1, -1, -1, 1, -1, -1 }).reshape(4, 2) * (float)eps;
            var pts = xi + torch.cat(new[] { u.to(ScalarType.Float32), corners });
            var z = net.forward(pts.reshape(-1, 1, 1, 2));
            var f = (z[.., 1] - z[.., 0]).to(ScalarType.Float64);
            var sampled = loss == ConvexLoss.Hinge ? (1 - yi * f).clamp_min(0) : (yi - f).square();
            double worst = sampled.max().item<double>(), bound = terms[i].item<double>();
            Assert.That(worst, Is.LessThanOrEqualTo(bound + 1e-4), $"sample {i}");
            // The pattern is fixed on the ball, so the worst case is at a corner: the bound is attained.
            Assert.That(worst, Is.EqualTo(bound).Within(1e-4 + 1e-4 * bound), $"sample {i} (tight)");
        }
    }

    [Test]
    public void BinaryTaskFiltersAndRelabels()
    {
        var images = torch.arange(5, dtype: ScalarType.Float32).reshape(5, 1, 1, 1);
        var labels = torch.tensor(new long[] { 3, 1, 8, 3, 8 });
        var task = BinaryTask.Parse("3,8");
        var set = task.Filter(new ImageSet(images, labels));
        Assert.That(set.Labels.data<long>().ToArray(), Is.EqualTo(new long[] { 0, 1, 0, 1 }));
        Assert.That(set.Images.reshape(-1).data<float>().ToArray(), Is.EqualTo(new float[] { 0, 2, 3, 4 }));
        Assert.That(() => BinaryTask.Parse("3,3"), Throws.TypeOf<VerifyException>().With.Message.Contains("distinct"));
        Assert.That(() => BinaryTask.Parse("3"), Throws.TypeOf<VerifyException>());
        Assert.That(() => BinaryTask.Parse("3,10"), Throws.TypeOf<VerifyException>());
    }
}
