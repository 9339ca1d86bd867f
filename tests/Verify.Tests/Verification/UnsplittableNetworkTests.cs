using Verify.Graph;
using Verify.Import;
using Verify.Operators;
using Verify.Spec;
using Verify.Tests.Support;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Verification;

/// <summary>
/// Networks whose nonlinearities ReLU splitting cannot split (sigmoid) and whose inputs are more than the input
/// splitting threshold: branch and bound splits their neurons' intervals, and goes on while time is left instead of
/// ending unknown.
/// </summary>
public class UnsplittableNetworkTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-sigmoid-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void ASigmoidNetworkWithManyInputsIsSearchedByIntervalSplitting()
    {
        const int inputs = 20;
        var relu = RandomNetworks.Mlp(new[] { inputs, 12, 12, 3 }, seed: 41, weightScale: 2);
        var g = new ComputationGraph(relu.Nodes.Select(n => n.Op is Relu ? n with { Op = new Sigmoid() } : n).ToList(), relu.OutputIndex, "x", "y");
        var model = OnnxMlp.Write(g, Path.Combine(dir, "sigmoid.onnx"));
        var lo = Enumerable.Repeat(-0.3, inputs).ToArray();
        var hi = Enumerable.Repeat(0.3, inputs).ToArray();
        // Y_0 - Y_1 >= its sampled median: half the box is unsafe, so the property is violated.
        var box = new IntervalBounds(tensor(lo, dtype: ScalarType.Float64).unsqueeze(0), tensor(hi, dtype: ScalarType.Float64).unsqueeze(0));
        var xs = RandomNetworks.Samples(box, 2000, 5)[0];
        var ys = g.To(CPU, ScalarType.Float64).Forward(xs.reshape(2000, 1, inputs)).reshape(2000, 3);
        double median = (ys[.., 0] - ys[.., 1]).median().item<double>();
        var spec = Path.Combine(dir, "median.vnnlib");
        File.WriteAllText(spec, VnnlibText.Of(lo, hi, 3, new[] { new[] { new VnnlibText.Atom(0, 1, true, median) } }));

        var graph = OnnxImporter.Load(model);
        var property = VnnlibReader.Load(spec, inputs, 3);
        using var runner = new OnnxRuntimeRunner(model);
        // No attack: the search itself must find the counterexample.
        var options = VerifierOptions.Default with { Method = MethodChoice.Bab, TimeoutSeconds = 60, Attack = null };
        Assert.That(options.InputSplitMaxInputs, Is.LessThan(inputs), "the test needs more inputs than the input splitting threshold");
        var result = Verifier.Check(graph, runner, property, options);
        Assert.That(result.Verdict, Is.EqualTo(Verdict.Violated), result.Reason);
        Assert.That(result.BranchAndBound, Is.Not.Null);
        var y = runner.Run(result.Counterexample!.Input);
        Assert.That(y[0] - y[1], Is.GreaterThanOrEqualTo(median), "ONNX Runtime confirms the counterexample");
    }

    /// <summary>
    /// A property too hard to decide in 6 s (just below the sampled minimum of a wide sigmoid/tanh network on a large
    /// box): the check ends in a timeout, not an early unknown, and uses most of its time.
    /// </summary>
    [Test]
    public void AHardSigmoidPropertyTimesOutInsteadOfEndingUnknownEarly()
    {
        const int inputs = 24;
        var g = NonlinearNetworks.SShapedMlp(new[] { inputs, 32, 32, 32, 3 }, seed: 8, weightScale: 3);
        var model = OnnxMlp.Write(g, Path.Combine(dir, "hard.onnx"));
        var lo = Enumerable.Repeat(-1.0, inputs).ToArray();
        var hi = Enumerable.Repeat(1.0, inputs).ToArray();
        var box = new IntervalBounds(tensor(lo, dtype: ScalarType.Float64).unsqueeze(0), tensor(hi, dtype: ScalarType.Float64).unsqueeze(0));
        var xs = RandomNetworks.Samples(box, 4000, 3)[0];
        var ys = g.To(CPU, ScalarType.Float64).Forward(xs.reshape(4000, 1, inputs)).reshape(4000, 3);
        var margin = ys[.., 0] - ys[.., 1];
        double min = margin.min().item<double>(), spread = margin.max().item<double>() - min;
        var spec = Path.Combine(dir, "hard.vnnlib");
        File.WriteAllText(spec, VnnlibText.Of(lo, hi, 3, new[] { new[] { new VnnlibText.Atom(0, 1, false, min - 0.5 * spread) } }));
        var graph = OnnxImporter.Load(model);
        var property = VnnlibReader.Load(spec, inputs, 3);
        using var runner = new OnnxRuntimeRunner(model);
        var options = VerifierOptions.Default with { Method = MethodChoice.Bab, TimeoutSeconds = 6 };
        var result = Verifier.Check(graph, runner, property, options);
        TestContext.Out.WriteLine($"{result.Verdict} after {result.TotalSeconds:F1} s, {result.BranchAndBound?.Domains} domains: {result.Reason}");
        Assert.That(result.Verdict, Is.EqualTo(Verdict.Timeout), result.Reason);
        Assert.That(result.BranchAndBound, Is.Not.Null, "branch and bound ran");
        Assert.That(result.TotalSeconds, Is.GreaterThan(5), "the check used most of its time");
    }
}
