using Verify.Bounds;
using Verify.Graph;
using Verify.Import;
using Verify.Tests.Support;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Import;

public class ForwardMatchesOnnxRuntimeTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-models-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [TestCaseSource(typeof(TestModels), nameof(TestModels.Names))]
    public void OurForwardPassEqualsOnnxRuntime(string name)
    {
        var (path, n) = TestModels.Write(name, dir);
        var graph = OnnxImporter.Load(path);
        Assert.That(graph.InputSize, Is.EqualTo(n));
        using var runner = new OnnxRuntimeRunner(path);
        var rng = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            using var scope = torch.NewDisposeScope();
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).Select(v => (double)(float)v).ToArray();
            var expected = runner.Run(x);
            var ours = graph.To(CPU, ScalarType.Float64).Forward(torch.tensor(x, dtype: ScalarType.Float64).unsqueeze(0))
                .reshape(-1).data<double>().ToArray();
            Assert.That(ours.Length, Is.EqualTo(expected.Length));
            for (int i = 0; i < ours.Length; i++)
                Assert.That(ours[i], Is.EqualTo(expected[i]).Within(1e-5 * Math.Max(1, Math.Abs(expected[i]))), $"{name} output {i}");
        }
    }

    [TestCaseSource(typeof(TestModels), nameof(TestModels.Names))]
    public void EveryOperatorsBoundsContainSampledValues(string name)
    {
        var (path, n) = TestModels.Write(name, dir);
        using var scope = torch.NewDisposeScope();
        var graph = OnnxImporter.Load(path).To(CPU, ScalarType.Float64);
        var centre = torch.randn(3, n, dtype: ScalarType.Float64, generator: new Generator(11));
        var box = new IntervalBounds(centre - 0.3, centre + 0.3);
        var samples = RandomNetworks.Samples(box, 400, 12);
        var values = graph.ForwardAll(samples.reshape(new[] { 3L * 400 }.Concat(graph.InputShape).ToArray()));
        foreach (var method in new[] { BoundMethod.Ibp, BoundMethod.Crown })
        {
            var bounds = BoundComputer.Intermediate(graph, box, new BoundOptions(method));
            for (int i = 0; i <= graph.OutputIndex; i++)
            {
                var v = values[i].reshape(3, 400, -1);
                Assert.That((v - bounds[i].Lower.reshape(3, 1, -1)).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"{method} lower, node {graph.Nodes[i].Name}");
                Assert.That((bounds[i].Upper.reshape(3, 1, -1) - v).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"{method} upper, node {graph.Nodes[i].Name}");
            }
            // Output bounds by the method's own final pass (CROWN backward through every operator) contain the samples too.
            var outs = BoundComputer.OutputBounds(graph, bounds, method);
            var y = values[graph.OutputIndex].reshape(3, 400, -1);
            Assert.That((y - outs.Lower.unsqueeze(1)).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"{method} output lower");
            Assert.That((outs.Upper.unsqueeze(1) - y).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"{method} output upper");
        }
    }
}
