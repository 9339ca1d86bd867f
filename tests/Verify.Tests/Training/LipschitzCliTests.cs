using System.Text.Json;
using Verify.Tests.Support;

namespace Verify.Tests.Training;

/// <summary>`verify train` with LBDN / spectral flags and `verify certify --norm l2` as a user runs them.</summary>
public class LipschitzCliTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-lipschitz-cli-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static void AssertOneLineError(CliRunner.Outcome o, string expected)
    {
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr + o.Stdout);
        Assert.That(o.Stderr, Does.Contain(expected));
        Assert.That(o.Stderr.Trim().Split('\n').Length, Is.EqualTo(1), o.Stderr);
    }

    [TestCase("0", "--lipschitz must be positive")]
    [TestCase("-2", "--lipschitz must be positive")]
    public void NonPositiveLipschitzIsAUserError(string gamma, string message) =>
        AssertOneLineError(CliRunner.Run("train", "--model", "lbdn-mlp", "--lipschitz", gamma, "--data-dir", dir), message);

    [Test]
    public void LipschitzWithAPlainModelIsAUserError() =>
        AssertOneLineError(CliRunner.Run("train", "--model", "mlp", "--lipschitz", "1", "--data-dir", dir), "--lipschitz sets the bound of an LBDN model");

    [Test]
    public void LbdnWithIbpIsAUserError() =>
        AssertOneLineError(CliRunner.Run("train", "--model", "lbdn-mlp", "--method", "ibp", "--data-dir", dir), "LBDN models train by --method natural or pgd");

    [Test]
    public void LbdnCnnWithIbpIsAUserError() =>
        AssertOneLineError(CliRunner.Run("train", "--model", "lbdn-cnn", "--method", "ibp", "--data-dir", dir), "LBDN models train by --method natural or pgd");

    [Test]
    public void SpectralNormWithLbdnOrNonPositiveIsAUserError()
    {
        AssertOneLineError(CliRunner.Run("train", "--model", "lbdn-mlp", "--spectral-norm", "1", "--data-dir", dir), "--spectral-norm applies to mlp/cnn");
        AssertOneLineError(CliRunner.Run("train", "--model", "mlp", "--spectral-norm", "0", "--data-dir", dir), "--spectral-norm must be positive");
        AssertOneLineError(CliRunner.Run("train", "--model", "mlp", "--spectral-norm", "1", "--batch-norm", "--epochs", "1", "--data-dir", dir),
            "cannot be combined with BatchNorm");
    }

    [TestCase("0")]
    [TestCase("65")]
    public void SpectralDirectionsOutOfRangeIsAUserError(string k) =>
        AssertOneLineError(CliRunner.Run("train", "--model", "mlp", "--spectral-norm", "1", "--spectral-directions", k, "--data-dir", dir),
            "--spectral-directions must be in 1..64");

    [Test]
    public void L2FlagsWithoutNormL2AreAUserError() =>
        AssertOneLineError(CliRunner.Run("certify", Paths.Example("mnist_mlp.onnx"), "--eps", "0.1", "--lipschitz", "1", "--data-dir", dir), "need --norm l2");

    [Test]
    public void AnUnconfirmedClaimIsRefused()
    {
        var mnist = Paths.SharedOrIgnore("data", "mnist");
        var o = CliRunner.Run("certify", Paths.Example("mnist_mlp.onnx"), "--norm", "l2", "--eps", "0.5", "--lipschitz", "0.01",
            "--lipsdp-time", "5", "--count", "20", "--data-dir", mnist);
        AssertOneLineError(o, "not confirmed");
    }

    [Test]
    public void TrainLbdnThenCertifyL2OnMnist()
    {
        var mnist = Paths.SharedOrIgnore("data", "mnist");
        var run = CliRunner.Run("train", "--data-dir", mnist, "--model", "lbdn-mlp", "--widths", "64,32", "--lipschitz", "1", "--epochs", "1",
            "--train-limit", "1000", "--batch-size", "100", "--eval-count", "100", "--eval-pgd-steps", "5", "--out", dir);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr + run.Stdout);
        foreach (var f in new[] { "model.onnx", "epochs.csv", "accuracy.png", "radius.png" })
            Assert.That(File.Exists(Path.Combine(dir, f)), f);
        var json = Path.Combine(dir, "certify.json");
        var cert = CliRunner.Run("certify", Path.Combine(dir, "model.onnx"), "--data-dir", mnist, "--norm", "l2", "--eps", "0.5",
            "--lipschitz-bound", "naive", "--count", "100", "--pgd-steps", "50", "--pgd-restarts", "1", "--json", json, "--curve", Path.Combine(dir, "curve.png"));
        Assert.That(cert.ExitCode, Is.EqualTo(0), cert.Stderr + cert.Stdout);
        Assert.That(File.Exists(Path.Combine(dir, "curve.png")));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var r = doc.RootElement;
        double clean = r.GetProperty("clean_accuracy").GetDouble(), pgd = r.GetProperty("pgd_accuracy").GetDouble(),
            certified = r.GetProperty("certified_accuracy").GetDouble();
        Assert.That(r.GetProperty("lipschitz").GetDouble(), Is.GreaterThan(1), "the product of the fused layers' norms exceeds gamma");
        Assert.That(certified, Is.LessThanOrEqualTo(pgd));
        Assert.That(pgd, Is.LessThanOrEqualTo(clean));
        Assert.That(r.GetProperty("inconsistent").GetInt64(), Is.EqualTo(0));
    }
}
