using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Support;

/// <summary>Small random networks and boxes for soundness and exactness tests.</summary>
public static class RandomNetworks
{
    /// <summary>A fully connected ReLU network with the given layer widths (no ReLU after the last layer), sample shape [widths[0]].</summary>
    public static ComputationGraph Mlp(int[] widths, int seed, double weightScale = 1.0, bool relu = true)
    {
        var gen = new Generator((ulong)seed);
        var nodes = new List<Node> { new(0, "x", new InputOp(new long[] { widths[0] }), Array.Empty<int>(), new long[] { widths[0] }) };
        for (int l = 1; l < widths.Length; l++)
        {
            var w = torch.randn(widths[l], widths[l - 1], generator: gen, dtype: ScalarType.Float64) * (weightScale / Math.Sqrt(widths[l - 1]));
            var b = torch.randn(widths[l], generator: gen, dtype: ScalarType.Float64) * 0.1;
            nodes.Add(new Node(nodes.Count, $"fc{l}", new Linear(w, b), new[] { nodes.Count - 1 }, new long[] { widths[l] }));
            if (relu && l < widths.Length - 1)
                nodes.Add(new Node(nodes.Count, $"relu{l}", new Relu(), new[] { nodes.Count - 1 }, new long[] { widths[l] }));
        }
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }

    /// <summary>
    /// A small random CNN on a [1, 2, 5, 5] input: Conv(2 channels, 3x3, stride 2, pad 1) → ReLU → Conv(2, 2x2,
    /// stride 1) → ReLU → Reshape → Linear(8) → ReLU → Linear(3).
    /// </summary>
    public static ComputationGraph SmallConv(int seed)
    {
        var gen = new Generator((ulong)seed);
        Tensor R(params long[] shape) => torch.randn(shape, generator: gen, dtype: ScalarType.Float64) * 0.6;
        var nodes = new List<Node> { new(0, "x", new InputOp(new long[] { 1, 2, 5, 5 }), Array.Empty<int>(), new long[] { 1, 2, 5, 5 }) };
        void Add(Operator op, long[] shape) => nodes.Add(new Node(nodes.Count, $"n{nodes.Count}", op, new[] { nodes.Count - 1 }, shape));
        Add(new Conv(R(2, 2, 3, 3), R(2) * 0.2, new long[] { 1, 1, 1, 1 }, new long[] { 2, 2 }, new long[] { 1, 1 }, 1), new long[] { 1, 2, 3, 3 });
        Add(new Relu(), new long[] { 1, 2, 3, 3 });
        Add(new Conv(R(2, 2, 2, 2), R(2) * 0.2, new long[] { 0, 0, 0, 0 }, new long[] { 1, 1 }, new long[] { 1, 1 }, 1), new long[] { 1, 2, 2, 2 });
        Add(new Relu(), new long[] { 1, 2, 2, 2 });
        Add(new Reshape(new long[] { 1, 8 }), new long[] { 1, 8 });
        Add(new Linear(R(8, 8), R(8) * 0.2), new long[] { 1, 8 });
        Add(new Relu(), new long[] { 1, 8 });
        Add(new Linear(R(3, 8), R(3) * 0.2), new long[] { 1, 3 });
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }

    /// <summary>A random box [batch, n] around random centres with the given radius.</summary>
    public static IntervalBounds Box(int batch, int n, double radius, int seed)
    {
        var gen = new Generator((ulong)seed);
        var c = torch.randn(batch, n, generator: gen, dtype: ScalarType.Float64);
        return new IntervalBounds(c - radius, c + radius);
    }

    /// <summary>Uniform samples inside each box: [batch, samples, n], the box corners lo and hi included first.</summary>
    public static Tensor Samples(IntervalBounds box, int samples, int seed)
    {
        var gen = new Generator((ulong)seed);
        var lo = box.Lower.unsqueeze(1);
        var hi = box.Upper.unsqueeze(1);
        var u = torch.rand(new[] { box.Lower.shape[0], (long)samples, box.Lower.shape[1] }, generator: gen, dtype: box.Lower.dtype);
        u[.., 0] = 0;
        u[.., 1] = 1;
        return lo + (hi - lo) * u;
    }
}
