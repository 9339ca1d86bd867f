using Verify.Bounds;
using Verify.Cli.Studies.ConvNets;
using Verify.Graph;
using Verify.Import;
using Verify.Solvers;
using Verify.Spec;
using Verify.Tests.Support;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Cli;

/// <summary>
/// The conv-study families (src/Verify.Cli/Studies/ConvNets) at the small shape with random weights: the files import,
/// the engine's forward pass is ONNX Runtime's, IBP and CROWN bounds contain ONNX Runtime's outputs at sampled
/// points, the ReLU form of a MaxPool network is the same function, and the verifier agrees with the exact MIP.
/// </summary>
public class ConvStudyModelTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-conv-study-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static IEnumerable<string> Families() => ConvFamilies.All.Select(f => f.Name);

    /// <summary>A small random network of the family, BatchNorm with non-trivial running statistics, written to ONNX.</summary>
    static (FamilyNet Net, string Path) Write(string family, string dir, int seed, bool reluForm = false)
    {
        var f = ConvFamilies.Named(family);
        var gen = new Generator((ulong)seed);
        var net = new FamilyNet(f.Layers(StudyShape.Small), ConvFamily.Input(StudyShape.Small), gen, randomBias: true);
        foreach (var l in net.Layers.Where(l => l.Spec is BatchNormLayerSpec))
        {
            using var _ = no_grad();
            l.RunningMean!.copy_(torch.randn(l.RunningMean.shape, generator: gen) * 0.3);
            l.RunningVar!.copy_(torch.rand(l.RunningVar.shape, generator: gen) + 0.5);
            l.Weight!.copy_(torch.rand(l.Weight.shape, generator: gen) + 0.5);
            l.Bias!.copy_(torch.randn(l.Bias.shape, generator: gen) * 0.1);
        }
        string path = System.IO.Path.Combine(dir, $"{family}{(reluForm ? "_relu" : "")}.onnx");
        FamilyOnnx.Write(net, path, reluForm);
        return (net, path);
    }

    static double[] RandomImage(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (double)(float)rng.NextDouble()).ToArray();

    [TestCaseSource(nameof(Families))]
    public void ForwardPassEqualsOnnxRuntime(string family)
    {
        var (net, path) = Write(family, dir, 3);
        using (net)
        {
            var graph = OnnxImporter.Load(path).To(CPU, ScalarType.Float64);
            Assert.That(graph.InputSize, Is.EqualTo(64));
            Assert.That(graph.OutputSize, Is.EqualTo(10));
            using var runner = new OnnxRuntimeRunner(path);
            var rng = new Random(7);
            for (int trial = 0; trial < 10; trial++)
            {
                using var scope = NewDisposeScope();
                var x = RandomImage(rng, 64);
                var expected = runner.Run(x);
                var ours = graph.Forward(torch.tensor(x, dtype: ScalarType.Float64).reshape(1, 1, 1, 8, 8)).reshape(-1).data<double>().ToArray();
                // The training forward (float32) is the same network too.
                var torchOut = net.Forward(torch.tensor(x, dtype: ScalarType.Float32).reshape(1, 1, 8, 8), training: false).reshape(-1).to_type(ScalarType.Float64).data<double>().ToArray();
                for (int i = 0; i < 10; i++)
                {
                    double tol = 1e-4 * Math.Max(1, Math.Abs(expected[i]));
                    Assert.That(ours[i], Is.EqualTo(expected[i]).Within(tol), $"{family}, output {i}");
                    Assert.That(torchOut[i], Is.EqualTo(expected[i]).Within(tol), $"{family}, training forward, output {i}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Families))]
    public void IbpAndCrownBoundsContainOnnxRuntimeSamples(string family)
    {
        var (net, path) = Write(family, dir, 5);
        net.Dispose();
        using var scope = NewDisposeScope();
        var graph = OnnxImporter.Load(path).To(CPU, ScalarType.Float64);
        using var runner = new OnnxRuntimeRunner(path);
        var rng = new Random(11);
        var centre = RandomImage(rng, 64);
        const double eps = 0.05;
        var lo = centre.Select(v => Math.Max(0, v - eps)).ToArray();
        var hi = centre.Select(v => Math.Min(1, v + eps)).ToArray();
        var box = new IntervalBounds(torch.tensor(lo, dtype: ScalarType.Float64).reshape(1, 1, 1, 8, 8), torch.tensor(hi, dtype: ScalarType.Float64).reshape(1, 1, 1, 8, 8));
        var samples = Enumerable.Range(0, 150).Select(k => k switch
        {
            0 => lo,
            1 => hi,
            _ => lo.Zip(hi, (a, b) => (double)(float)(a + (b - a) * (k % 3 == 0 ? Math.Round(rng.NextDouble()) : rng.NextDouble()))).ToArray(),
        }).Select(runner.Run).ToArray();
        foreach (var method in new[] { BoundMethod.Ibp, BoundMethod.Crown })
        {
            var bounds = BoundComputer.Intermediate(graph, box, new BoundOptions(method));
            var outs = BoundComputer.OutputBounds(graph, bounds, method);
            var lower = outs.Lower.reshape(-1).data<double>().ToArray();
            var upper = outs.Upper.reshape(-1).data<double>().ToArray();
            foreach (var y in samples)
                for (int i = 0; i < 10; i++)
                {
                    double slack = 1e-4 * Math.Max(1, Math.Abs(y[i]));
                    Assert.That(y[i], Is.GreaterThanOrEqualTo(lower[i] - slack), $"{family} {method}: output {i} below its lower bound");
                    Assert.That(y[i], Is.LessThanOrEqualTo(upper[i] + slack), $"{family} {method}: output {i} above its upper bound");
                }
        }
    }

    [Test]
    public void TheReluFormOfMaxPoolIsTheSameFunction()
    {
        var (net, path) = Write("maxpool", dir, 9);
        var (_, reluPath) = (net, System.IO.Path.Combine(dir, "maxpool_relu.onnx"));
        FamilyOnnx.Write(net, reluPath, maxPoolAsRelu: true);
        net.Dispose();
        using var a = new OnnxRuntimeRunner(path);
        using var b = new OnnxRuntimeRunner(reluPath);
        var graph = OnnxImporter.Load(reluPath);
        Assert.That(graph.Nodes.Any(n => n.Op.OpType == "MaxPool"), Is.False);
        var rng = new Random(4);
        for (int trial = 0; trial < 20; trial++)
        {
            var x = RandomImage(rng, 64);
            var ya = a.Run(x);
            var yb = b.Run(x);
            for (int i = 0; i < 10; i++) Assert.That(yb[i], Is.EqualTo(ya[i]).Within(1e-4 * Math.Max(1, Math.Abs(ya[i]))));
        }
    }

    /// <summary>
    /// The verifier (attack, bounds, branch and bound; 10 s) against the exact MIP on two radii per family: never a
    /// contradiction, and the MIP must decide. MaxPool: the MIP runs on the ReLU form, the verifier on the MaxPool file.
    /// </summary>
    [TestCase("conv-random")]
    [TestCase("resnet2")]
    [TestCase("maxpool")]
    public void VerifierAgreesWithTheExactMip(string family)
    {
        var (net, path) = Write(family, dir, 21);
        string mipPath = path;
        if (family == "maxpool")
        {
            mipPath = System.IO.Path.Combine(dir, "maxpool_relu.onnx");
            FamilyOnnx.Write(net, mipPath, maxPoolAsRelu: true);
        }
        net.Dispose();
        var graph = OnnxImporter.Load(path);
        var mipGraph = OnnxImporter.Load(mipPath);
        using var runner = new OnnxRuntimeRunner(path);
        var rng = new Random(13);
        int decided = 0;
        var verdicts = new List<string>();
        foreach (double eps in new[] { 0.002, 0.05 })
        {
            var image = RandomImage(rng, 64);
            int label = Array.IndexOf(runner.Run(image), runner.Run(image).Max());
            string vnnlib = System.IO.Path.Combine(dir, $"{family}_{eps}.vnnlib");
            File.WriteAllText(vnnlib, RobustnessVnnlib.Of(image.Select(v => (float)v).ToArray(), label, 10, eps, "test"));
            var property = VnnlibReader.Load(vnnlib, 64, 10);
            var mip = MipVerifier.Check(mipGraph, property, 60);
            Assert.That(mip.Verdict, Is.AnyOf(Verdict.Holds, Verdict.Violated), $"{family}, eps {eps}: the MIP did not decide ({mip.Reason})");
            var options = new VerifierOptions(MethodChoice.Auto, 10, CPU, ScalarType.Float32, new Verify.Attack.AttackOptions());
            var r = Verifier.Check(graph, runner, property, options);
            verdicts.Add($"eps {eps}: verifier {r.Verdict}, MIP {mip.Verdict}");
            if (r.Verdict is Verdict.Holds or Verdict.Violated)
            {
                decided++;
                Assert.That(r.Verdict, Is.EqualTo(mip.Verdict), $"{family}, eps {eps}: {r.Reason}");
            }
        }
        TestContext.Out.WriteLine(string.Join("; ", verdicts));
        Assert.That(decided, Is.GreaterThanOrEqualTo(1), string.Join("; ", verdicts));
    }

    [Test]
    public void BadOptionsAreOneLineUserErrors()
    {
        var unknown = CliRunner.Run("conv-study", "--out", dir, "--families", "conv,nonsense");
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.Stderr);
        Assert.That(unknown.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(unknown.Stderr, Does.Contain("unknown family 'nonsense'"));
        var images = CliRunner.Run("conv-study", "--out", dir, "--images", "0");
        Assert.That(images.ExitCode, Is.EqualTo(2), images.Stderr);
        Assert.That(images.Stderr, Does.Contain("--images"));
        var noData = CliRunner.Run("conv-study", "--out", dir, "--data-dir", System.IO.Path.Combine(dir, "absent"));
        Assert.That(noData.ExitCode, Is.EqualTo(2), noData.Stderr);
        Assert.That(noData.Stderr, Does.Contain("MNIST not found"));
        var perf = CliRunner.Run("perf", Paths.Example("mnist_cnn_ibp.onnx"), Paths.Example("mnist_cnn_ibp_robust_0.vnnlib"), "--methods", "ibp,nonsense");
        Assert.That(perf.ExitCode, Is.EqualTo(2), perf.Stderr);
        Assert.That(perf.Stderr, Does.Contain("unknown method 'nonsense'"));
    }

    /// <summary>The command on real MNIST (one family, tiny training): files, instance lists the bench reader accepts.</summary>
    [Test]
    public void WritesNetworksPropertiesAndInstanceLists()
    {
        string mnist = Paths.SharedOrIgnore("data", "mnist");
        var run = CliRunner.Run("conv-study", "--out", dir, "--families", "conv,maxpool", "--images", "2", "--train-count", "300",
            "--train-epochs", "1", "--pgd-steps", "0", "--no-bounds", "--data-dir", mnist);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr + run.Stdout);
        foreach (var shape in new[] { "cifar", "small" })
        {
            var list = Verify.Benchmarks.InstanceList.Load(System.IO.Path.Combine(dir, shape, "instances.csv"));
            Assert.That(list, Has.Count.EqualTo(4), shape);
            foreach (var instance in list)
            {
                var graph = OnnxImporter.Load(instance.Onnx);
                var property = VnnlibReader.Load(instance.Vnnlib, (int)graph.InputSize, (int)graph.OutputSize);
                Assert.That(property.Cases, Has.Count.EqualTo(1));
                Assert.That(property.Cases[0].Disjuncts, Has.Count.EqualTo(9));
                Assert.That(graph.InputSize, Is.EqualTo(shape == "cifar" ? 3 * 32 * 32 : 64));
            }
        }
        var mip = Verify.Benchmarks.InstanceList.Load(System.IO.Path.Combine(dir, "small", "mip_instances.csv"));
        Assert.That(mip.Count(i => i.Onnx.EndsWith("maxpool_relu_form.onnx")), Is.EqualTo(2));
    }
}
