using System.Text;
using Google.Protobuf;
using Verify.Import;
using Verify.Tests.Support;
using TorchSharp;

namespace Verify.Tests.Cli;

/// <summary>
/// The whole path of `verify check` on inputs parser fuzzing found troublesome: each ends in exit code 2 with one
/// `error:` line and no stack trace, whether the model, the property or their match is at fault.
/// </summary>
public class MalformedInputCliTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-malformed-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static void AssertOneErrorLine(CliRunner.Outcome o, string expected)
    {
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr + o.Stdout);
        var lines = o.Stderr.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), o.Stderr);
        Assert.That(lines[0], Does.StartWith("error: ").And.Contain(expected));
    }

    /// <summary>A 2-3 Gemm network and a property of its sizes.</summary>
    (string Model, string Spec) Write(int specInputs = 2)
    {
        var b = new OnnxModelBuilder("m");
        var x = b.Input("x", new long[] { 1, 2 });
        var y = b.Node("Gemm", new[] { x, b.Initializer("w", torch.ones(3, 2)) }, "fc", ("transB", 1L));
        b.Output(y, new long[] { 1, 3 });
        var model = Path.Combine(dir, "m.onnx");
        b.Save(model);
        var spec = Path.Combine(dir, "p.vnnlib");
        File.WriteAllText(spec, Verify.Fuzz.Seeds.BoxSpec.Text(specInputs, 3));
        return (model, spec);
    }

    [Test]
    public void ACyclicModelIsOneErrorLine()
    {
        var (model, spec) = Write();
        var m = OnnxModelReader.Load(model);
        m.Graph.Node[0].Input[0] = m.Graph.Node[0].Output[0];
        File.WriteAllBytes(model, m.ToByteArray());
        AssertOneErrorLine(CliRunner.Run("check", model, spec, "--timeout", "20"), "the graph has a cycle");
    }

    [Test]
    public void APropertyNestedHundredThousandDeepIsOneErrorLine()
    {
        var (model, spec) = Write();
        File.AppendAllText(spec, "(assert " + new StringBuilder().Insert(0, "(not ", 100_000) + "(<= Y_0 1)" + new string(')', 100_001) + "\n");
        AssertOneErrorLine(CliRunner.Run("check", model, spec, "--timeout", "20"), "nested more than 1000 deep");
    }

    [Test]
    public void APropertyForAnotherInputCountIsOneErrorLine()
    {
        var (model, spec) = Write(specInputs: 5);
        AssertOneErrorLine(CliRunner.Run("check", model, spec, "--timeout", "20"), "the property declares 5 inputs X_0..X_4 but the network has 2 inputs");
    }
}
