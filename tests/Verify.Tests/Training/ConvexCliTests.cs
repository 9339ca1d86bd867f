using System.Text.Json;
using Verify.Tests.Support;

namespace Verify.Tests.Training;

/// <summary>`verify train --method convex-robust`, `--model one-hidden`, `--loss-fusion` and `verify certify --classes` as a user runs them.</summary>
public class ConvexCliTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-convex-cli-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static void AssertOneLineError(CliRunner.Outcome o, string expected)
    {
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr + o.Stdout);
        Assert.That(o.Stderr, Does.Contain(expected));
        Assert.That(o.Stderr.Trim().Split('\n').Length, Is.EqualTo(1), o.Stderr);
    }

    [TestCase("--model", "mlp", "--classes", "3,8", "trains --model one-hidden only")]
    [TestCase("--model", "one-hidden", "--classes", "3,3", "two distinct digits")]
    [TestCase("--model", "one-hidden", "--classes", "3,8,1", "two digits 0-9")]
    [TestCase("--model", "one-hidden", "--neurons", "0", "--neurons must be at least 1")]
    [TestCase("--model", "one-hidden", "--neurons", "5", "needs --classes")]
    public void BadConvexCombinationsAreUserErrors(params string[] args)
    {
        var argv = new List<string> { "train", "--method", "convex-robust", "--data-dir", dir };
        argv.AddRange(args[..^1]);
        AssertOneLineError(CliRunner.Run(argv.ToArray()), args[^1]);
    }

    [Test]
    public void LossFusionNeedsCrownIbp() =>
        AssertOneLineError(CliRunner.Run("train", "--method", "ibp", "--loss-fusion", "--data-dir", dir), "--loss-fusion applies to --method crown-ibp only");

    [Test]
    public void ClassesNeedTheOneHiddenModel() =>
        AssertOneLineError(CliRunner.Run("train", "--method", "pgd", "--model", "mlp", "--classes", "0,1", "--data-dir", dir), "--classes needs --model one-hidden");

    [Test]
    public void SquaredLossNeedsTheFirstOrderSolver() =>
        AssertOneLineError(CliRunner.Run("train", "--method", "convex-robust", "--model", "one-hidden", "--classes", "0,1", "--convex-loss", "squared",
            "--convex-solver", "glop", "--data-dir", dir), "needs --convex-solver first-order");

    [Test]
    public void CertifyOfABinaryModelNeedsClasses() =>
        AssertOneLineError(CliRunner.Run("certify", Paths.Example("mnist_mlp.onnx"), "--eps", "0.01", "--classes", "3,8", "--data-dir", dir),
            "expected 784 inputs and 2 outputs");

    [Test]
    public void ConvexTrainThenExactCertifyOnMnist()
    {
        var mnist = Paths.SharedOrIgnore("data", "mnist");
        var run = CliRunner.Run("train", "--data-dir", mnist, "--model", "one-hidden", "--method", "convex-robust", "--neurons", "8", "--classes", "0,1",
            "--eps", "0.05", "--epochs", "2", "--train-limit", "1000", "--batch-size", "500", "--lr", "1e-2", "--pattern-rounds", "2",
            "--eval-count", "100", "--out", dir);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr + run.Stdout);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "convex.json"))))
        {
            Assert.That(doc.RootElement.GetProperty("samples").GetInt64(), Is.EqualTo(1000));
            Assert.That(doc.RootElement.GetProperty("test_clean").GetDouble(), Is.GreaterThan(0.9), "0 vs 1 is easy");
        }
        var json = Path.Combine(dir, "certify.json");
        var cert = CliRunner.Run("certify", Path.Combine(dir, "model.onnx"), "--data-dir", mnist, "--classes", "0,1", "--eps", "0.05", "--count", "40",
            "--pgd-steps", "50", "--exact", "5", "--json", json);
        Assert.That(cert.ExitCode, Is.EqualTo(0), cert.Stderr + cert.Stdout);
        using var c = JsonDocument.Parse(File.ReadAllText(json));
        var r = c.RootElement;
        Assert.That(r.GetProperty("count").GetInt64(), Is.EqualTo(40));
        double pgd = r.GetProperty("pgd_accuracy").GetDouble(), certified = r.GetProperty("certified_accuracy").GetDouble();
        Assert.That(certified, Is.LessThanOrEqualTo(pgd));
        // With the exact MIP every PGD-robust image is decided: certified or refuted (none open within 5 s on 8 neurons).
        Assert.That(r.GetProperty("exact_open").GetInt32(), Is.EqualTo(0));
        Assert.That(r.GetProperty("inconsistent").GetInt64(), Is.EqualTo(0));
    }
}
