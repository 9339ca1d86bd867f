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
    public void BoundsCommandPrintsTheLibrarysIbpBoundsOfEveryOutputAndTheyContainOnnxRuntimesOutputs()
    {
        var model = Paths.Example("mnist_mlp.onnx");
        var spec = Paths.Example("mnist_mlp_robust.vnnlib");
        var o = CliRunner.Run("bounds", model, spec, "--method", "ibp");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr);
        var rows = Regex.Matches(o.Stdout, @"│\s*Y_(\d+)\s*│\s*(\S+)\s*│\s*(\S+)\s*│")
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                m => (Lower: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), Upper: double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));
        Assert.That(rows.Keys.Order(), Is.EqualTo(Enumerable.Range(0, 10)), o.Stdout);
        // Independently: the library's IBP bounds of the imported network over the property's box ...
        var box = VnnlibReader.Load(spec, 784, 10).Cases.Single().Box;
        using var scope = TorchSharp.torch.NewDisposeScope();
        var graph = Verify.Import.OnnxImporter.Load(model).To(TorchSharp.torch.CPU, TorchSharp.torch.ScalarType.Float64);
        var ibp = Verify.Bounds.BoundComputer.Intermediate(graph, new Verify.Graph.IntervalBounds(
            TorchSharp.torch.tensor(box.Lower).unsqueeze(0), TorchSharp.torch.tensor(box.Upper).unsqueeze(0)), Verify.Bounds.BoundOptions.Ibp);
        var output = Verify.Bounds.BoundComputer.OutputBounds(graph, ibp, Verify.Bounds.BoundMethod.Ibp);
        var lower = output.Lower.reshape(-1).data<double>().ToArray();
        var upper = output.Upper.reshape(-1).data<double>().ToArray();
        for (int j = 0; j < 10; j++)
        {
            // Printed with six significant digits.
            Assert.That(rows[j].Lower, Is.EqualTo(lower[j]).Within(1e-5 * (1 + Math.Abs(lower[j]))), $"Y_{j} lower");
            Assert.That(rows[j].Upper, Is.EqualTo(upper[j]).Within(1e-5 * (1 + Math.Abs(upper[j]))), $"Y_{j} upper");
        }
        // ... and ONNX Runtime's outputs at random points of the box lie inside the printed bounds.
        using var runner = new OnnxRuntimeRunner(model);
        var rng = new Random(3);
        for (int k = 0; k < 50; k++)
        {
            var y = runner.Run(box.Lower.Select((l, i) => l + (box.Upper[i] - l) * rng.NextDouble()).ToArray());
            for (int j = 0; j < 10; j++)
                Assert.That(y[j], Is.InRange(rows[j].Lower - 1e-4 * (1 + Math.Abs(rows[j].Lower)), rows[j].Upper + 1e-4 * (1 + Math.Abs(rows[j].Upper))), $"point {k}, Y_{j}");
        }
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
