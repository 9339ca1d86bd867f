using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Verify.Spec;
using Verify.Tests.Support;
using Verify.Verification;

namespace Verify.Tests.Cli;

public class CheckCommandTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-check-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void ShippedRobustPropertyHoldsAndWritesUnsat()
    {
        var result = Path.Combine(dir, "result.txt");
        var json = Path.Combine(dir, "report.json");
        var o = CliRunner.Run("check", Paths.Example("mnist_mlp.onnx"), Paths.Example("mnist_mlp_robust.vnnlib"),
            "--result", result, "--json", json, "--device", "cpu");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr);
        Assert.That(o.Stdout, Does.Contain("holds"));
        Assert.That(File.ReadAllText(result).Trim(), Is.EqualTo("unsat"));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.That(doc.RootElement.GetProperty("result").GetString(), Is.EqualTo("unsat"));
        var methods = doc.RootElement.GetProperty("methods");
        Assert.That(methods.GetArrayLength(), Is.GreaterThan(0));
        var last = methods[methods.GetArrayLength() - 1];
        Assert.That(last.GetProperty("proved").GetBoolean(), Is.True);
        int bounds = 0;
        foreach (var c in last.GetProperty("disjunct_lower_bounds").EnumerateArray())
            foreach (var d in c.EnumerateArray())
            {
                Assert.That(d.GetDouble(), Is.GreaterThan(0));
                bounds++;
            }
        // One refuting bound per disjunct of the property, none left out.
        var spec = VnnlibReader.Load(Paths.Example("mnist_mlp_robust.vnnlib"), 784, 10);
        Assert.That(bounds, Is.EqualTo(spec.Cases.Sum(c => c.Disjuncts.Count)).And.GreaterThan(0), "disjunct lower bounds reported");
    }

    [Test]
    public void ShippedAttackablePropertyIsViolatedWithACounterexampleOnnxRuntimeConfirms()
    {
        var result = Path.Combine(dir, "result.txt");
        var model = Paths.Example("mnist_mlp.onnx");
        var specPath = Paths.Example("mnist_mlp_attackable.vnnlib");
        var o = CliRunner.Run("check", model, specPath, "--result", result);
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr);
        var text = File.ReadAllText(result);
        Assert.That(text.Split('\n')[0], Is.EqualTo("sat"));
        var values = Regex.Matches(text, @"\((X|Y)_(\d+) ([^)\s]+)\)")
            .ToDictionary(m => m.Groups[1].Value + m.Groups[2].Value, m => double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        var x = Enumerable.Range(0, 784).Select(i => values["X" + i]).ToArray();
        // Independent re-check: the point lies in the box and ONNX Runtime's output satisfies a disjunct.
        var property = VnnlibReader.Load(specPath, 784, 10);
        var box = property.Cases[0].Box;
        for (int i = 0; i < 784; i++) Assert.That(x[i], Is.InRange(box.Lower[i], box.Upper[i]));
        using var runner = new OnnxRuntimeRunner(model);
        var y = runner.Run(x);
        Assert.That(property.Cases[0].Disjuncts.Any(d => CounterexampleChecker.Satisfies(d, y)), Is.True);
        for (int j = 0; j < 10; j++) Assert.That(values["Y" + j], Is.EqualTo(y[j]).Within(1e-6));
    }

    [Test]
    public void BoundsCommandPrintsEveryOutput()
    {
        var o = CliRunner.Run("bounds", Paths.Example("mnist_mlp.onnx"), Paths.Example("mnist_mlp_robust.vnnlib"), "--method", "ibp");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr);
        for (int j = 0; j < 10; j++) Assert.That(o.Stdout, Does.Contain($"Y_{j}"));
    }

    [Test]
    public void InfoCommandListsOperatorsAndParameters()
    {
        var o = CliRunner.Run("info", Paths.Example("mnist_mlp.onnx"));
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr);
        Assert.That(o.Stdout, Does.Contain("Gemm"));
        Assert.That(o.Stdout, Does.Contain("Relu"));
        Assert.That(o.Stdout, Does.Contain((784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10).ToString()));
    }
}
