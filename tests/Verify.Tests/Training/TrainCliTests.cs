using System.Text.Json;
using Verify.Tests.Support;

namespace Verify.Tests.Training;

/// <summary>`verify train` and `verify certify` as a user runs them.</summary>
public class TrainCliTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-train-cli-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static void AssertOneLineError(CliRunner.Outcome o, string expected)
    {
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr + o.Stdout);
        Assert.That(o.Stderr, Does.Contain(expected));
        Assert.That(o.Stderr.Trim().Split('\n').Length, Is.EqualTo(1), o.Stderr);
    }

    [Test]
    public void MissingDataIsAUserError() =>
        AssertOneLineError(CliRunner.Run("train", "--data-dir", Path.Combine(dir, "none"), "--epochs", "1"), "MNIST not found");

    [Test]
    public void UnknownModelIsAUserError() =>
        AssertOneLineError(CliRunner.Run("train", "--model", "resnet-9000", "--data-dir", dir), "unknown model 'resnet-9000'");

    [Test]
    public void UnreachableDownloadIsAUserError() =>
        AssertOneLineError(CliRunner.Run("train", "--data-dir", dir, "--download", "--download-base", "http://127.0.0.1:9/"), "cannot download");

    [Test]
    public void CertifyMissingDataIsAUserError() =>
        AssertOneLineError(CliRunner.Run("certify", Paths.Example("mnist_mlp.onnx"), "--eps", "0.01", "--data-dir", Path.Combine(dir, "none")), "MNIST not found");

    [Test]
    public void TrainThenCertifyOnMnist()
    {
        var mnist = Paths.SharedOrIgnore("data", "mnist");
        var run = CliRunner.Run("train", "--data-dir", mnist, "--model", "mlp", "--method", "ibp", "--eps", "0.05", "--epochs", "1",
            "--train-limit", "2000", "--warmup", "0.2", "--ramp", "0.5", "--eval-count", "200", "--out", dir);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr + run.Stdout);
        foreach (var f in new[] { "model.onnx", "checkpoint.bin", "epochs.csv", "loss.png", "accuracy.png", "tightness.png" })
            Assert.That(File.Exists(Path.Combine(dir, f)), f);
        Assert.That(File.ReadAllLines(Path.Combine(dir, "epochs.csv")), Has.Length.EqualTo(3), "header, epoch 0 (untrained), epoch 1");
        var json = Path.Combine(dir, "certify.json");
        var cert = CliRunner.Run("certify", Path.Combine(dir, "model.onnx"), "--data-dir", mnist, "--eps", "0.05", "--count", "100",
            "--pgd-steps", "50", "--json", json);
        Assert.That(cert.ExitCode, Is.EqualTo(0), cert.Stderr + cert.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var r = doc.RootElement;
        Assert.That(r.GetProperty("count").GetInt64(), Is.EqualTo(100));
        Assert.That(r.GetProperty("eps").GetDouble(), Is.EqualTo(0.05));
        double clean = r.GetProperty("clean_accuracy").GetDouble(), pgd = r.GetProperty("pgd_accuracy").GetDouble(),
            certified = r.GetProperty("certified_accuracy").GetDouble();
        Assert.That(clean, Is.GreaterThan(0.5));
        Assert.That(certified, Is.LessThanOrEqualTo(pgd));
        Assert.That(pgd, Is.LessThanOrEqualTo(clean));
        Assert.That(r.GetProperty("inconsistent").GetInt64(), Is.EqualTo(0));
    }
}
