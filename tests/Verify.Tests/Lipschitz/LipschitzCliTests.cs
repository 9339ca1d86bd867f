using System.Text.Json.Nodes;
using Verify.Import;
using Verify.Lipschitz;
using Verify.Tests.Support;

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

    [Test]
    public void JsonHoldsEveryMethodsFiguresAndMatchesTheLibrary()
    {
        var model = Model();
        var json = Path.Combine(dir, "out.json");
        var o = CliRunner.Run("lipschitz", model, "--center", Center("0.1, 0.2 0.3\n# comment\n0.4;0.5 0.6"), "--eps", "0.05",
            "--method", "naive", "crown", "--method", "mip,bab", "--json", json, "--monotone");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        Assert.That(o.Stdout, Does.Contain("crown").And.Contain("monotone"));
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        var methods = root["methods"]!.AsArray();
        Assert.That(methods.Select(m => (string)m!["method"]!), Is.EqualTo(new[] { "naive", "crown", "mip", "bab" }));
        double lower = (double)root["lower"]!;
        foreach (var m in methods)
        {
            Assert.That((double)m!["upper"]!, Is.GreaterThanOrEqualTo(lower - 1e-9));
            Assert.That((double)m["seconds"]!, Is.GreaterThanOrEqualTo(0));
            Assert.That(m["outputs"]!.AsArray().Count, Is.EqualTo(3));
        }
        // The same figures as the library on the imported (float32) network.
        var net = LipschitzNetwork.FromGraph(OnnxImporter.Load(model));
        var c = new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 };
        var report = LipschitzAnalysis.Run(net, c.Select(v => v - 0.05).ToArray(), c.Select(v => v + 0.05).ToArray(),
            new LipschitzOptions(new[] { LipschitzMethod.Mip }));
        Assert.That((double)methods[2]!["upper"]!, Is.EqualTo(report.Methods[0].OverallUpper).Within(1e-9));
        Assert.That((double)methods[3]!["upper"]!, Is.EqualTo(report.Methods[0].OverallUpper).Within(1e-6));
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
        Assert.That((double)entry["seconds"]!, Is.GreaterThanOrEqualTo(0));
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
