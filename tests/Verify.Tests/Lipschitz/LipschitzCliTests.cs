using System.Text.Json.Nodes;
using Verify.Graph;
using Verify.Import;
using Verify.Lipschitz;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Lipschitz;

public class LipschitzCliTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-lip-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    string Model() => OnnxMlp.Write(RandomNetworks.Mlp(new[] { 6, 8, 8, 3 }, seed: 11), Path.Combine(dir, "mlp.onnx"));

    string Center(string text)
    {
        var path = Path.Combine(dir, "center.txt");
        File.WriteAllText(path, text);
        return path;
    }

    static void AssertUserError(CliRunner.Outcome o, string expected)
    {
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr + o.Stdout);
        Assert.That(o.Stderr, Does.Contain(expected));
        Assert.That(o.Stderr.Trim().Split('\n').Length, Is.EqualTo(1), o.Stderr);
    }

    /// <summary>
    /// Per output j, the largest ‖∇f_j(x)‖₁ over the box's corners and <paramref name="samples"/> uniform points,
    /// by autograd on the imported network in float64: a value attained in the box, so a lower bound of every sound
    /// upper bound, computed without the engine's Lipschitz code.
    /// </summary>
    static double[] SampledGradientNorms(ComputationGraph graph, double[] lower, double[] upper, int samples, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var g = graph.To(torch.CPU, ScalarType.Float64);
        int n = lower.Length;
        var lo = torch.tensor(lower, dtype: ScalarType.Float64);
        var hi = torch.tensor(upper, dtype: ScalarType.Float64);
        var u = torch.rand(new long[] { samples, n }, generator: new Generator((ulong)seed), dtype: ScalarType.Float64);
        // Corners nudged inwards by a hair, so that no ReLU sits exactly at a kink there.
        var corners = torch.tensor(Enumerable.Range(0, 1 << n).SelectMany(k => Enumerable.Range(0, n).Select(i => ((k >> i) & 1) == 1 ? 1 - 1e-9 : 1e-9)).ToArray(),
            dtype: ScalarType.Float64).reshape(1 << n, n);
        return MaxGradientNorms(g, lo + (hi - lo) * torch.cat(new[] { corners, u }));
    }

    /// <summary>Per output, the largest ‖∇f_j(x)‖₁ over the points <paramref name="points"/> ([m, n]), by autograd.</summary>
    static double[] MaxGradientNorms(ComputationGraph g, Tensor points)
    {
        var x = points.detach().requires_grad_(true);
        var y = g.Forward(x.unsqueeze(1)).reshape(x.shape[0], -1);
        var best = new double[y.shape[1]];
        for (int j = 0; j < best.Length; j++)
        {
            var grad = torch.autograd.grad(new[] { y[.., j].sum() }, new[] { x }, retain_graph: true)[0];
            best[j] = grad.abs().sum(1).max().item<double>();
        }
        return best;
    }

    static double[] PerOutputUpper(JsonNode method) => method["outputs"]!.AsArray().Select(o => (double)o!["upper"]!).ToArray();

    [Test]
    public void EveryMethodsBoundIsAtLeastASampledGradientNormAndTheMethodsAreOrderedAsTheirConstructionGuarantees()
    {
        var model = Model();
        var json = Path.Combine(dir, "out.json");
        var o = CliRunner.Run("lipschitz", model, "--center", Center("0.1, 0.2 0.3\n# comment\n0.4;0.5 0.6"), "--eps", "0.05",
            "--method", "naive", "ibp,crown", "--method", "mip,bab", "--json", json, "--monotone");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        Assert.That(o.Stdout, Does.Contain("crown").And.Contain("monotone"));
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        var methods = root["methods"]!.AsArray();
        Assert.That(methods.Select(m => (string)m!["method"]!), Is.EqualTo(new[] { "naive", "ibp", "crown", "mip", "bab" }));
        var c = new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 };
        double[] lo = c.Select(v => v - 0.05).ToArray(), hi = c.Select(v => v + 0.05).ToArray();
        var graph = OnnxImporter.Load(model);
        var sampled = SampledGradientNorms(graph, lo, hi, 3000, 17);
        Assert.That(sampled.Min(), Is.GreaterThan(0), "the sampled gradients vanish: the check would be vacuous");
        var upper = methods.ToDictionary(m => (string)m!["method"]!, m => PerOutputUpper(m!));
        foreach (var (name, up) in upper)
        {
            Assert.That(up, Has.Length.EqualTo(3), name);
            for (int j = 0; j < 3; j++)
                Assert.That(up[j], Is.GreaterThanOrEqualTo(sampled[j] - 1e-9 * (1 + sampled[j])), $"{name}, output {j}: below a gradient norm attained in the box");
            Assert.That((double)methods.Single(m => (string)m!["method"]! == name)!["upper"]!, Is.EqualTo(up.Max()).Within(1e-12), $"{name}: overall = max over outputs");
        }
        // The reported lower bound is a gradient norm attained in the box, so no sound upper bound is below it.
        double lower = (double)root["lower"]!;
        Assert.That(lower, Is.GreaterThan(0).And.LessThanOrEqualTo(upper["mip"].Max() + 1e-9));
        // What the construction guarantees, per output: naive = ‖W_L[j]‖₁·Π‖W_k‖∞ bounds the interval Jacobian; CROWN's
        // Jacobian intervals are interval arithmetic intersected with back-substitution, level by level, so never wider
        // than IBP's; the MILP and branch and bound keep the smaller of their bound and CROWN's.
        var tol = (double v) => 1e-9 * (1 + Math.Abs(v));
        for (int j = 0; j < 3; j++)
        {
            Assert.That(upper["naive"][j], Is.GreaterThanOrEqualTo(upper["ibp"][j] - tol(upper["ibp"][j])), $"naive < ibp, output {j}");
            Assert.That(upper["ibp"][j], Is.GreaterThanOrEqualTo(upper["crown"][j] - tol(upper["crown"][j])), $"ibp < crown, output {j}");
            Assert.That(upper["crown"][j], Is.GreaterThanOrEqualTo(upper["mip"][j] - tol(upper["mip"][j])), $"crown < mip, output {j}");
            Assert.That(upper["crown"][j], Is.GreaterThanOrEqualTo(upper["bab"][j] - tol(upper["bab"][j])), $"crown < bab, output {j}");
        }
        // The naive bound independently: ‖W_L[j]‖₁ · Π_k ‖W_k‖∞ of the imported layers.
        var dense = DenseNetwork.FromGraph(graph);
        double product = dense.Layers.Take(dense.Layers.Count - 1).Aggregate(1.0, (p, l) => p * NaiveBound.InfNorm(l.Weight));
        var last = dense.Layers[^1].Weight;
        for (int j = 0; j < 3; j++)
            Assert.That(upper["naive"][j], Is.EqualTo(Enumerable.Range(0, last.GetLength(1)).Sum(i => Math.Abs(last[j, i])) * product).Within(1e-9 * upper["naive"][j]));
        // The same figures as the library on the imported (float32) network; the MILP is exact on a network this small.
        var net = LipschitzNetwork.FromGraph(graph);
        var report = LipschitzAnalysis.Run(net, lo, hi, new LipschitzOptions(new[] { LipschitzMethod.Mip }));
        Assert.That(report.Methods[0].Exact, Is.All.True, "the MILP should solve this network exactly");
        Assert.That(upper["mip"].Max(), Is.EqualTo(report.Methods[0].OverallUpper).Within(1e-9));
        Assert.That(upper["bab"].Max(), Is.EqualTo(report.Methods[0].OverallUpper).Within(1e-6));
    }

    [Test]
    public void MipAndBabOfATinyReluNetworkEqualTheMaximumGradientNormOnADenseGrid()
    {
        // 2 inputs, one hidden layer of 6 ReLUs: the box splits into at most 22 linear pieces, each of them wide
        // enough for a 301 × 301 grid, so the grid's largest gradient norm is the exact local constant.
        var model = OnnxMlp.Write(RandomNetworks.Mlp(new[] { 2, 6, 2 }, seed: 4, weightScale: 2), Path.Combine(dir, "tiny.onnx"));
        var json = Path.Combine(dir, "tiny.json");
        var o = CliRunner.Run("lipschitz", model, "--center", Center("0.1 -0.2"), "--eps", "0.8", "--method", "crown,mip,bab", "--json", json);
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        var methods = root["methods"]!.AsArray().ToDictionary(m => (string)m!["method"]!, m => m!);
        Assert.That(methods.Keys, Is.EquivalentTo(new[] { "crown", "mip", "bab" }));
        double[] lo = { 0.1 - 0.8, -0.2 - 0.8 }, hi = { 0.1 + 0.8, -0.2 + 0.8 };
        var grid = GridGradientNorms(OnnxImporter.Load(model), lo, hi, 301);
        var crown = PerOutputUpper(methods["crown"]);
        Assert.That(crown.Zip(grid).Any(p => p.First > p.Second + 1e-6), Is.True, "CROWN is already exact: the MILP would have nothing to do");
        foreach (var name in new[] { "mip", "bab" })
        {
            var up = PerOutputUpper(methods[name]);
            var exact = methods[name]["outputs"]!.AsArray().Select(e => (bool)e!["exact"]!).ToArray();
            Assert.That(exact, Is.All.True, $"{name} should be exact on this network");
            for (int j = 0; j < 2; j++)
                Assert.That(up[j], Is.EqualTo(grid[j]).Within(1e-6 * (1 + grid[j])), $"{name}, output {j}");
        }
    }

    /// <summary>Per output, the largest ‖∇f_j‖₁ over an n × n grid of the 2-D box (autograd, float64).</summary>
    static double[] GridGradientNorms(ComputationGraph graph, double[] lower, double[] upper, int n)
    {
        using var scope = torch.NewDisposeScope();
        var g = graph.To(torch.CPU, ScalarType.Float64);
        var t = torch.linspace(0, 1, n, dtype: ScalarType.Float64);
        var a = lower[0] + (upper[0] - lower[0]) * t;
        var b = lower[1] + (upper[1] - lower[1]) * t;
        var mesh = torch.meshgrid(new[] { a, b }, indexing: "ij");
        return MaxGradientNorms(g, torch.stack(new[] { mesh[0].reshape(-1), mesh[1].reshape(-1) }, 1));
    }

    [Test]
    public void MissingRegionIsAUserError() => AssertUserError(CliRunner.Run("lipschitz", Model()), "region is missing");

    [Test]
    public void WrongCentreSizeIsAUserError() =>
        AssertUserError(CliRunner.Run("lipschitz", Model(), "--center", Center("1 2 3"), "--eps", "0.1"), "3 numbers");

    [Test]
    public void BadNumberInCentreIsAUserError() =>
        AssertUserError(CliRunner.Run("lipschitz", Model(), "--center", Center("1 2 x 4 5 6"), "--eps", "0.1"), "'x' is not a finite number");

    [Test]
    public void NegativeEpsIsAUserError() =>
        AssertUserError(CliRunner.Run("lipschitz", Model(), "--center", Center("1 2 3 4 5 6"), "--eps", "-1"), "--eps");

    [Test]
    public void UnknownMethodIsAUserError() =>
        AssertUserError(CliRunner.Run("lipschitz", Model(), "--center", Center("1 2 3 4 5 6"), "--eps", "0.1", "--method", "lipfoo"), "unknown --method");

    [Test]
    public void OutputOutOfRangeIsAUserError() =>
        AssertUserError(CliRunner.Run("lipschitz", Model(), "--center", Center("1 2 3 4 5 6"), "--eps", "0.1", "--output", "7"), "output 7");

    [Test]
    public void DomainMissingTheRegionIsAUserError() =>
        AssertUserError(CliRunner.Run("lipschitz", Model(), "--center", Center("1 2 3 4 5 6"), "--eps", "0.1", "--domain", "5,6"), "does not meet");

    [Test]
    public void LipSdpNeedsNoRegionAndItsBoundLiesBetweenSampledAndNaive()
    {
        var model = Model();
        var json = Path.Combine(dir, "global.json");
        var o = CliRunner.Run("lipschitz", model, "--method", "lipsdp", "--json", json);
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        Assert.That(o.Stdout, Does.Contain("lipsdp-neuron").And.Contain("lipsdp-layer"));
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        var entry = root["methods"]!.AsArray().Single()!;
        Assert.That((string)entry["method"]!, Is.EqualTo("lipsdp"));
        double upper = (double)entry["upper"]!, lower = (double)entry["lower"]!;
        var global = root["globalL2"]!;
        // Independent figures: the product of spectral norms of the imported layers, and a Jacobian found by sampling.
        var dense = DenseNetwork.FromGraph(OnnxImporter.Load(model));
        double naive = dense.Layers.Aggregate(1.0, (p, l) => p * MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(l.Weight).L2Norm());
        Assert.That((double)global["naive"]!, Is.EqualTo(naive).Within(1e-9 * naive));
        Assert.That(lower, Is.GreaterThan(0).And.LessThanOrEqualTo(upper));
        Assert.That(upper, Is.LessThanOrEqualTo((double)global["layer"]!["upper"]! + 1e-9));
        Assert.That((double)global["layer"]!["upper"]!, Is.LessThanOrEqualTo(naive + 1e-9));
        // A global l2 bound is at least ‖J(x)‖₂ anywhere: the largest singular value at random points, by autograd.
        double sampled = 0;
        using (var scope = torch.NewDisposeScope())
        {
            var g = OnnxImporter.Load(model).To(torch.CPU, ScalarType.Float64);
            var x = (torch.rand(new long[] { 300, 6 }, generator: new Generator(23), dtype: ScalarType.Float64) * 6 - 3).requires_grad_(true);
            var y = g.Forward(x.unsqueeze(1)).reshape(300, 3);
            var rows = Enumerable.Range(0, 3).Select(j =>
                torch.autograd.grad(new[] { y[.., j].sum() }, new[] { x }, retain_graph: true)[0].data<double>().ToArray()).ToArray();
            for (int k = 0; k < 300; k++)
            {
                var jac = new double[3, 6];
                for (int j = 0; j < 3; j++)
                    for (int i = 0; i < 6; i++) jac[j, i] = rows[j][k * 6 + i];
                sampled = Math.Max(sampled, MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(jac).L2Norm());
            }
        }
        Assert.That(sampled, Is.GreaterThan(0));
        Assert.That(upper, Is.GreaterThanOrEqualTo(sampled * (1 - 1e-9)), "the LipSDP bound is below a Jacobian norm attained");
        Assert.That(lower, Is.LessThanOrEqualTo(naive * (1 + 1e-9)), "the reported sampled ‖J‖₂ exceeds the naive bound");
    }

    [Test]
    public void LipSdpRunsBesideLocalMethods()
    {
        var json = Path.Combine(dir, "both.json");
        var o = CliRunner.Run("lipschitz", Model(), "--center", Center("0 0 0 0 0 0"), "--eps", "0.1", "--method", "crown,lipsdp", "--json", json);
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        var methods = JsonNode.Parse(File.ReadAllText(json))!["methods"]!.AsArray();
        Assert.That(methods.Select(m => (string)m!["method"]!), Is.EqualTo(new[] { "crown", "lipsdp" }));
    }
}
