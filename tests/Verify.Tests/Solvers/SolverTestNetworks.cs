using Verify.Graph;
using Verify.Operators;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Solvers;

/// <summary>Tiny networks and helpers shared by the solver tests.</summary>
static class SolverTestNetworks
{
    /// <summary>Ten small networks: MLPs, LeakyReLU MLPs and small CNNs.</summary>
    public static IEnumerable<TestCaseData> Ten()
    {
        yield return new TestCaseData("mlp 3-8-8-2", 0);
        yield return new TestCaseData("mlp 4-10-6-3", 1);
        yield return new TestCaseData("mlp 5-12-10-8-2", 2);
        yield return new TestCaseData("mlp 2-6-6-6-1", 3);
        yield return new TestCaseData("mlp 6-16-9-3", 4);
        yield return new TestCaseData("leaky 3-8-8-2", 5);
        yield return new TestCaseData("leaky 4-12-8-3", 6);
        yield return new TestCaseData("conv", 7);
        yield return new TestCaseData("conv", 8);
        yield return new TestCaseData("conv", 9);
    }

    /// <summary>The network a test case names ("mlp w0-w1-...", "leaky w0-w1-...", "conv").</summary>
    public static ComputationGraph Network(string kind, int seed)
    {
        if (kind == "conv") return RandomNetworks.SmallConv(seed);
        var widths = kind.Split(' ')[1].Split('-').Select(int.Parse).ToArray();
        var g = RandomNetworks.Mlp(widths, 500 + seed, weightScale: 1.6);
        return kind.StartsWith("leaky") ? WithLeakyRelu(g, 0.1) : g;
    }

    /// <summary>The same network with every ReLU replaced by a LeakyReLU of the given slope.</summary>
    public static ComputationGraph WithLeakyRelu(ComputationGraph g, double slope) =>
        new(g.Nodes.Select(n => n.Op is Relu ? n with { Op = new LeakyRelu(slope) } : n).ToList(), g.OutputIndex, g.InputName, g.OutputName);

    /// <summary>The named network, a random box around it (one batch entry) as tensors and arrays, and its CROWN bounds.</summary>
    public static (ComputationGraph G, IntervalBounds Box, double[] Lo, double[] Hi, IntervalBounds[] Crown) Setup(string kind, int seed, double radius = 0.5)
    {
        var g = Network(kind, seed);
        var box = RandomNetworks.Box(1, (int)g.InputSize, radius, 60 + seed);
        var bounds = Verify.Bounds.BoundComputer.Intermediate(g, box, Verify.Bounds.BoundOptions.Crown);
        return (g, box, Row(box.Lower), Row(box.Upper), bounds);
    }

    /// <summary>Flattened values of a [1, n] tensor.</summary>
    public static double[] Row(Tensor t) => t.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();

    /// <summary>The network's flattened output at a flattened input, in float64.</summary>
    public static double[] Output(ComputationGraph g, double[] x) =>
        Row(g.Forward(torch.tensor(x, dtype: ScalarType.Float64).reshape(new[] { 1L }.Concat(g.InputShape).ToArray())));
}
