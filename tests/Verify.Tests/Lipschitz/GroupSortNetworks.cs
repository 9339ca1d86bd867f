using MathNet.Numerics.LinearAlgebra;
using Verify.Import;
using Verify.Lipschitz;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Lipschitz;

/// <summary>The ONNX forms of MaxMin that the importer recognises.</summary>
public enum MaxMinForm
{
    /// <summary>Split into halves → Max, Min → Concat [max, min].</summary>
    Split,
    /// <summary>Two Slices (halves) → Min, Max → Concat [min, max].</summary>
    SliceMinFirst,
    /// <summary>Reshape [1, k, 2] → ReduceMax, ReduceMin (last axis, keepdims) → Concat → Reshape [1, 2k].</summary>
    Reduce,
}

/// <summary>GroupSort / MaxMin / Householder test networks: dense layers, the residual-ReLU rewrite, ONNX files.</summary>
public static class GroupSortNetworks
{
    /// <summary>A seeded Gaussian matrix [rows, cols] with entries N(0, 1/cols).</summary>
    public static double[,] Gaussian(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var w = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                w[i, j] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) / Math.Sqrt(cols);
        return w;
    }

    /// <summary>A seeded random matrix with orthonormal rows or columns (the Q of a QR factorisation), [rows, cols].</summary>
    public static double[,] Orthogonal(int rows, int cols, int seed)
    {
        var g = Matrix<double>.Build.DenseOfArray(Gaussian(Math.Max(rows, cols), Math.Max(rows, cols), seed));
        var q = g.QR().Q;
        return q.SubMatrix(0, rows, 0, cols).ToArray();
    }

    /// <summary>The network W_l σ(… σ(W_1 x)) with MaxMin (max first, pairs (j, j+k)) as every σ, biases zero.</summary>
    public static DenseNetwork MaxMin(IReadOnlyList<double[,]> weights) =>
        Pairwise(weights, n => Householder.MaxMin(n / 2));

    /// <summary>The same with Householder activations of seeded random angles.</summary>
    public static DenseNetwork Householders(IReadOnlyList<double[,]> weights, int seed)
    {
        var rng = new Random(seed);
        return Pairwise(weights, n => Householder.Reflections(Enumerable.Range(0, n / 2).Select(_ => 2 * Math.PI * rng.NextDouble()).ToArray()));
    }

    static DenseNetwork Pairwise(IReadOnlyList<double[,]> weights, Func<int, Householder> activation) =>
        new(weights.Select((w, k) => k == weights.Count - 1
            ? new DenseLayer(w, new double[w.GetLength(0)], null)
            : new DenseLayer(w, new double[w.GetLength(0)], null, PairActivation.Of(activation(w.GetLength(0)), new long[] { w.GetLength(0) }))).ToList());

    /// <summary>
    /// The MaxMin network as a plain ReLU network: per pair (a, b) = (x_j, x_{j+k}) the hidden units relu(a − b), relu(b),
    /// relu(−b), relu(a), relu(−a), and max = relu(b) − relu(−b) + relu(a − b), min = relu(a) − relu(−a) − relu(a − b)
    /// (the residual form b + relu(a − b), a − relu(a − b) with its identity paths through relu(t) − relu(−t)).
    /// </summary>
    public static DenseNetwork ResidualReluRewrite(IReadOnlyList<double[,]> weights)
    {
        var m = Matrix<double>.Build;
        var layers = new List<DenseLayer>();
        Matrix<double>? recombine = null;
        for (int k = 0; k < weights.Count; k++)
        {
            var w = m.DenseOfArray(weights[k]);
            if (recombine is not null) w = w * recombine;
            if (k == weights.Count - 1)
            {
                layers.Add(new DenseLayer(w.ToArray(), new double[w.RowCount], null));
                break;
            }
            int n = w.RowCount, pairs = n / 2;
            var expand = m.Dense(5 * pairs, n);
            recombine = m.Dense(n, 5 * pairs);
            for (int j = 0; j < pairs; j++)
            {
                int a = j, b = j + pairs, r = 5 * j;
                expand[r, a] = 1; expand[r, b] = -1;   // relu(a − b)
                expand[r + 1, b] = 1;                  // relu(b)
                expand[r + 2, b] = -1;                 // relu(−b)
                expand[r + 3, a] = 1;                  // relu(a)
                expand[r + 4, a] = -1;                 // relu(−a)
                recombine[a, r] = 1; recombine[a, r + 1] = 1; recombine[a, r + 2] = -1;
                recombine[b, r] = -1; recombine[b, r + 3] = 1; recombine[b, r + 4] = -1;
            }
            var ew = expand * w;
            layers.Add(new DenseLayer(ew.ToArray(), new double[ew.RowCount], new Relu()));
        }
        return new DenseNetwork(layers);
    }

    /// <summary>Writes the MaxMin network (weights as float32 Gemms on input [1, n]) in one of the recognised forms.</summary>
    public static string WriteOnnx(IReadOnlyList<double[,]> weights, string path, MaxMinForm form)
    {
        var b = new OnnxModelBuilder(Path.GetFileNameWithoutExtension(path));
        int inputs = weights[0].GetLength(1);
        var h = b.Input("x", new long[] { 1, inputs });
        for (int k = 0; k < weights.Count; k++)
        {
            var w = torch.tensor(weights[k], dtype: ScalarType.Float32);
            h = b.Node("Gemm", new[] { h, b.Initializer($"w{k}", w) }, $"fc{k}", ("transB", 1L));
            if (k < weights.Count - 1) h = MaxMinNode(b, h, weights[k].GetLength(0), form, $"act{k}");
        }
        b.Output(h, new long[] { 1, weights[^1].GetLength(0) });
        b.Save(path);
        return path;
    }

    /// <summary>Adds MaxMin of h [1, n] in the given form and returns its output [1, n].</summary>
    public static string MaxMinNode(OnnxModelBuilder b, string h, long n, MaxMinForm form, string name)
    {
        long k = n / 2;
        string Longs(string what, params long[] v) => b.Initializer($"{name}_{what}", torch.tensor(v, dtype: ScalarType.Int64));
        switch (form)
        {
            case MaxMinForm.Split:
            {
                var first = b.Node("Split", new[] { h, Longs("split", k, k) }, $"{name}_split", ("axis", 1L));
                var second = first + "_second";
                b.Model.Graph.Node[^1].Output.Add(second);
                var max = b.Node("Max", new[] { first, second }, $"{name}_max");
                var min = b.Node("Min", new[] { second, first }, $"{name}_min");
                return b.Node("Concat", new[] { max, min }, $"{name}_concat", ("axis", -1L));
            }
            case MaxMinForm.SliceMinFirst:
            {
                var lo = b.Node("Slice", new[] { h, Longs("s0", 0), Longs("e0", k), Longs("a0", 1) }, $"{name}_slice0");
                var hi = b.Node("Slice", new[] { h, Longs("s1", k), Longs("e1", n), Longs("a1", -1) }, $"{name}_slice1");
                var min = b.Node("Min", new[] { lo, hi }, $"{name}_min");
                var max = b.Node("Max", new[] { hi, lo }, $"{name}_max");
                return b.Node("Concat", new[] { min, max }, $"{name}_concat", ("axis", 1L));
            }
            default:
            {
                var r = b.Node("Reshape", new[] { h, Longs("shape", 1, k, 2) }, $"{name}_reshape");
                var max = b.Node("ReduceMax", new[] { r }, $"{name}_rmax", ("axes", new long[] { -1 }), ("keepdims", 1L));
                var min = b.Node("ReduceMin", new[] { r }, $"{name}_rmin", ("axes", new long[] { 2 }));
                var c = b.Node("Concat", new[] { max, min }, $"{name}_concat", ("axis", 2L));
                return b.Node("Reshape", new[] { c, Longs("back", 1, n) }, $"{name}_flat");
            }
        }
    }
}
