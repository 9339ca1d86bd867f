using Verify.Import;
using Verify.Tests.Support;

namespace Verify.Tests.Cli;

public class UserErrorTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-cli-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static void AssertOneReadableError(CliRunner.Outcome o, params string[] expected)
    {
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr + o.Stdout);
        foreach (var e in expected) Assert.That(o.Stderr, Does.Contain(e));
        Assert.That(o.Stderr, Does.Not.Contain("   at "), "a user error must not print a stack trace");
        Assert.That(o.Stderr.Trim().Split('\n').Length, Is.LessThanOrEqualTo(2));
    }

    [Test]
    public void MissingModelFileIsAUserError() =>
        AssertOneReadableError(CliRunner.Run("check", Path.Combine(dir, "none.onnx"), Path.Combine(dir, "none.vnnlib")), "none.onnx");

    [Test]
    public void GarbageOnnxIsAUserError()
    {
        var path = Path.Combine(dir, "garbage.onnx");
        File.WriteAllBytes(path, new byte[] { 0xff, 0xfe, 0x01, 0x02, 0x99, 0x10, 0x00 });
        AssertOneReadableError(CliRunner.Run("info", path), "garbage.onnx");
    }

    [Test]
    public void UnsupportedOperatorsAreAllListedByNodeName()
    {
        var b = new OnnxModelBuilder();
        var x = b.Input("x", new long[] { 1, 4 });
        var h = b.Node("Softmax", new[] { x }, name: "soft1");
        h = b.Node("Exp", new[] { h }, name: "exp1");
        h = b.Node("Softmax", new[] { h }, name: "soft2");
        b.Output(h, new long[] { 1, 4 });
        var path = Path.Combine(dir, "unsupported.onnx");
        b.Save(path);
        var spec = Path.Combine(dir, "p.vnnlib");
        File.WriteAllText(spec, string.Join("\n", Enumerable.Range(0, 4).Select(i => $"(declare-const X_{i} Real)\n(assert (>= X_{i} 0))\n(assert (<= X_{i} 1))"))
            + "\n" + string.Join("\n", Enumerable.Range(0, 4).Select(i => $"(declare-const Y_{i} Real)")) + "\n(assert (>= Y_0 1))\n");
        AssertOneReadableError(CliRunner.Run("check", path, spec), "Softmax", "soft1", "soft2", "Exp", "exp1");
    }

    [Test]
    public void UnknownMethodIsAUserError() =>
        AssertOneReadableError(CliRunner.Run("check", "a.onnx", "b.vnnlib", "--method", "magic"), "magic");

    [Test]
    public void VnnlibSyntaxErrorNamesFileLineAndColumn()
    {
        var spec = Path.Combine(dir, "broken.vnnlib");
        File.WriteAllText(spec, "(declare-const X_0 Real)\n(assert (>= X_0 0.5)\n");
        var model = Paths.Example("mnist_mlp.onnx");
        var o = CliRunner.Run("check", model, spec);
        AssertOneReadableError(o, "broken.vnnlib");
    }

    [Test]
    public void PropertySizeMismatchIsAUserError()
    {
        var spec = Path.Combine(dir, "small.vnnlib");
        File.WriteAllText(spec, "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= Y_0 0))\n");
        AssertOneReadableError(CliRunner.Run("check", Paths.Example("mnist_mlp.onnx"), spec), "784");
    }
}
