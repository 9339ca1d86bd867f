using Verify.Import;
using Verify.Lipschitz;
using Verify.Tests.Support;
using static TorchSharp.torch;

namespace Verify.Tests.Lipschitz;

public class DenseNetworkTests
{
    static void AssertSameAsGraph(Verify.Graph.ComputationGraph graph, DenseNetwork dense, int seed)
    {
        var rng = new Random(seed);
        for (int t = 0; t < 5; t++)
        {
            var x = Enumerable.Range(0, dense.InputSize).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var expected = graph.To(CPU, ScalarType.Float64)
                .Forward(tensor(x, dtype: ScalarType.Float64).reshape(1, -1)).flatten().data<double>().ToArray();
            Assert.That(dense.Evaluate(x), Is.EqualTo(expected).Within(1e-9));
        }
    }

    [Test]
    public void DensifiedMlpComputesTheSameFunctionAsTheGraph()
    {
        var graph = RandomNetworks.Mlp(new[] { 5, 7, 6, 3 }, seed: 3);
        var dense = DenseNetwork.FromGraph(graph);
        Assert.That(dense.Layers.Select(l => l.Activation?.OpType),
            Is.EqualTo(new[] { "Relu", "Relu", null }));
        AssertSameAsGraph(graph, dense, 1);
    }

    [Test]
    public void DensifiedConvolutionComputesTheSameFunctionAsTheGraph()
    {
        var graph = RandomNetworks.SmallConv(seed: 4);
        AssertSameAsGraph(graph, DenseNetwork.FromGraph(graph), 2);
    }

    [Test]
    public void ShippedExampleDensifiesToItsLayerSizes()
    {
        var graph = OnnxImporter.Load(Paths.Example("mnist_mlp.onnx"));
        var dense = DenseNetwork.FromGraph(graph);
        Assert.That(dense.Layers.Select(l => l.Outputs), Is.EqualTo(new[] { 64, 32, 10 }));
        AssertSameAsGraph(graph, dense, 3);
    }
}
