using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Support;

/// <summary>Small random graphs with MaxPool and S-shaped activations, built from operator objects.</summary>
public static class NonlinearNetworks
{
    /// <summary>
    /// Conv(1→4, 3×3, pad 1) → <paramref name="activation"/> → MaxPool(3, stride 2, pads [1,1,0,0]) → Reshape →
    /// Linear(64→10) → Tanh → Linear(10→3), on per-sample input [1, 1, 8, 8].
    /// </summary>
    public static ComputationGraph SmallCnn(Operator activation, int seed)
    {
        var gen = new Generator((ulong)seed);
        Tensor R(params long[] shape) => torch.randn(shape, generator: gen, dtype: ScalarType.Float64);
        var b = new Builder(new long[] { 1, 1, 8, 8 });
        b.Add("conv", new Conv(R(4, 1, 3, 3) * 0.6, R(4) * 0.1, new long[] { 1, 1, 1, 1 }, new long[] { 1, 1 }, new long[] { 1, 1 }, 1));
        b.Add("act", activation);
        b.Add("pool", new MaxPool(new long[] { 3, 3 }, new long[] { 2, 2 }, new long[] { 1, 1, 0, 0 }));
        b.Add("flat", new Reshape(new long[] { 1, 64 }));
        b.Add("fc1", new Linear(R(10, 64) * (1.0 / 8), R(10) * 0.1));
        b.Add("tanh", new Tanh());
        b.Add("fc2", new Linear(R(3, 10) * (1.0 / Math.Sqrt(10)), R(3) * 0.1));
        return b.Build();
    }

    /// <summary>Linear → Sigmoid → Linear → Tanh → Linear with the given widths, on per-sample input [1, widths[0]].</summary>
    public static ComputationGraph SShapedMlp(int[] widths, int seed, double weightScale = 1.5)
    {
        var gen = new Generator((ulong)seed);
        var b = new Builder(new long[] { 1, widths[0] });
        for (int l = 1; l < widths.Length; l++)
        {
            var w = torch.randn(widths[l], widths[l - 1], generator: gen, dtype: ScalarType.Float64) * (weightScale / Math.Sqrt(widths[l - 1]));
            b.Add($"fc{l}", new Linear(w, torch.randn(widths[l], generator: gen, dtype: ScalarType.Float64) * 0.1));
            if (l < widths.Length - 1) b.Add($"act{l}", l % 2 == 1 ? new Sigmoid() : new Tanh());
        }
        return b.Build();
    }

    /// <summary>Appends single-input nodes, each consuming the previous one, inferring shapes.</summary>
    sealed class Builder
    {
        readonly List<Node> nodes = new();

        public Builder(long[] inputShape) => nodes.Add(new Node(0, "x", new InputOp(inputShape), Array.Empty<int>(), inputShape));

        public void Add(string name, Operator op)
        {
            var last = nodes[^1];
            nodes.Add(new Node(nodes.Count, name, op, new[] { last.Index }, op.InferShape(new[] { last.Shape })));
        }

        public ComputationGraph Build() => new(nodes, nodes.Count - 1, "x", "y");
    }
}
