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
/// A network whose nonlinearities neuron splitting cannot split (sigmoid) and whose inputs are more than the input
/// splitting threshold: branch and bound splits its inputs instead of ending unknown with time left.
/// </summary>
public class UnsplittableNetworkTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-sigmoid-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void ASigmoidNetworkWithManyInputsIsSearchedByInputSplitting()
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
}
