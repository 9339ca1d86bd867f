using Verify.Graph;
using Verify.Operators;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>One dense affine layer z = W·x + b followed by an activation.</summary>
/// <param name="Weight">W shaped [out, in].</param>
/// <param name="Bias">b of length out.</param>
/// <param name="Activation">The elementwise activation applied to z (null for the last layer and for pair layers).</param>
/// <param name="Pairs">A pairwise activation (MaxMin, Householder) applied to z instead, or null.</param>
public sealed record DenseLayer(double[,] Weight, double[] Bias, ActivationOperator? Activation, PairActivation? Pairs = null)
{
    /// <summary>True when the layer has an activation of either kind.</summary>
    public bool IsHidden => Activation is not null || Pairs is not null;

    /// <summary>Number of outputs.</summary>
    public int Outputs => Weight.GetLength(0);

    /// <summary>Number of inputs.</summary>
    public int Inputs => Weight.GetLength(1);
}

/// <summary>
/// A feed-forward network as dense double-precision layers f(x) = W_L σ(… σ(W_1 x + b_1) …) + b_L, for solvers that work
/// on explicit matrices (MIP, SDP, norms). Built from a chain-shaped graph: each maximal run of affine operators
/// (Linear, Conv, Add/Mul by constants, BatchNorm, Reshape, …) between activations becomes one dense layer.
/// </summary>
public sealed class DenseNetwork
{
    /// <summary>Creates the network from its layers (the last has no activation).</summary>
    public DenseNetwork(IReadOnlyList<DenseLayer> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("a network needs at least one layer");
        for (int k = 1; k < layers.Count; k++)
            if (layers[k].Inputs != layers[k - 1].Outputs)
                throw new ArgumentException($"layer {k} takes {layers[k].Inputs} inputs but layer {k - 1} gives {layers[k - 1].Outputs}");
        if (layers[^1].IsHidden) throw new ArgumentException("the last layer must have no activation");
        for (int k = 0; k < layers.Count - 1; k++)
            if (!layers[k].IsHidden || (layers[k].Activation is not null && layers[k].Pairs is not null))
                throw new ArgumentException($"hidden layer {k} must have exactly one activation");
        Layers = layers;
    }

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<DenseLayer> Layers { get; }

    /// <summary>Input dimension.</summary>
    public int InputSize => Layers[0].Inputs;

    /// <summary>Output dimension.</summary>
    public int OutputSize => Layers[^1].Outputs;

    /// <summary>True when some hidden layer has a pairwise activation (MaxMin, Householder).</summary>
    public bool HasPairs => Layers.Any(l => l.Pairs is not null);

    /// <summary>Largest number of affine entries accepted when densifying a graph.</summary>
    public const long MaxEntries = 50_000_000;

    /// <summary>Evaluates the network at one point in double precision.</summary>
    public double[] Evaluate(double[] x)
    {
        if (x.Length != InputSize) throw new ArgumentException($"expected {InputSize} inputs, got {x.Length}");
        var v = x;
        foreach (var layer in Layers)
        {
            var z = new double[layer.Outputs];
            for (int i = 0; i < z.Length; i++)
            {
                double s = layer.Bias[i];
                for (int j = 0; j < v.Length; j++) s += layer.Weight[i, j] * v[j];
                z[i] = s;
            }
            v = layer.Pairs is { } pairs ? pairs.Apply(z) : Activate(layer.Activation, z);
        }
        return v;
    }

    /// <summary>Applies a layer's activation (none: the identity) to a vector, in double precision.</summary>
    public static double[] Activate(ActivationOperator? activation, double[] z) =>
        activation is null ? z : Elementwise(activation.Apply, z);

    /// <summary>A layer's activation derivative (none: 1) at a vector of pre-activations, in double precision.</summary>
    public static double[] Derivative(ActivationOperator? activation, double[] z) =>
        activation is null ? Enumerable.Repeat(1.0, z.Length).ToArray() : Elementwise(activation.Derivative, z);

    static double[] Elementwise(Func<Tensor, Tensor> f, double[] z)
    {
        using var scope = NewDisposeScope();
        return f(tensor(z, dtype: ScalarType.Float64, device: CPU)).data<double>().ToArray();
    }

    /// <summary>Builds the network from bias-free weight matrices with ReLU between them (the LipSDP convention).</summary>
    public static DenseNetwork FromWeights(IReadOnlyList<double[,]> weights) =>
        new(weights.Select((w, k) => new DenseLayer(w, new double[w.GetLength(0)],
            k == weights.Count - 1 ? null : new Relu())).ToList());

    /// <summary>
    /// Densifies a chain-shaped graph. Throws <see cref="VerifyException"/> naming the node when the graph branches or
    /// holds an operator that is neither affine nor a supported activation.
    /// </summary>
    public static DenseNetwork FromGraph(ComputationGraph graph)
    {
        var layers = new List<DenseLayer>();
        var segment = new List<Node>();
        long segmentInput = graph.InputSize;
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            var node = graph.Nodes[i];
            if (node.Inputs.Length != 1 || node.Inputs[0] != i - 1)
                throw new VerifyException($"node '{node.Name}' ({node.Op.OpType}): only chain-shaped networks can be densified");
            if (node.Op is Householder pairs)
            {
                layers.Add(Densify(graph, segment, segmentInput, null) with { Pairs = PairActivation.Of(pairs, node.Shape) });
                segment.Clear();
                segmentInput = node.Numel;
                continue;
            }
            if (node.Op is not ActivationOperator activation)
            {
                if (!IsAffine(node.Op))
                    throw new VerifyException($"node '{node.Name}' ({node.Op.OpType}) is not supported by dense (matrix) methods");
                segment.Add(node);
                continue;
            }
            layers.Add(Densify(graph, segment, segmentInput, activation));
            segment.Clear();
            segmentInput = node.Numel;
        }
        layers.Add(Densify(graph, segment, segmentInput, null));
        return new DenseNetwork(layers);
    }

    static bool IsAffine(Operator op) => op is Linear or Conv or AddConstant or MulConstant or BatchNormalization
        or Reshape or Transpose or Pad or AveragePool or ElementwiseAffine;

    /// <summary>Probes an affine segment with the origin and the unit vectors: b = f(0), column j = f(e_j) − b.</summary>
    static DenseLayer Densify(ComputationGraph graph, List<Node> segment, long inputs, ActivationOperator? activation)
    {
        var inputShape = segment.Count == 0 ? new[] { inputs } : graph.Nodes[segment[0].Inputs[0]].Shape;
        long outputs = segment.Count == 0 ? inputs : segment[^1].Numel;
        if (inputs * outputs > MaxEntries)
            throw new VerifyException($"an affine block of {outputs}x{inputs} is too large for dense (matrix) methods");
        using var scope = NewDisposeScope();
        var ops = segment.Select(n => n.Op.Map(t => t.is_floating_point() ? t.to(ScalarType.Float64) : t)).ToList();
        var probe = cat(new[] { zeros(1, inputs, dtype: ScalarType.Float64), eye(inputs, dtype: ScalarType.Float64) });
        var v = probe.reshape(ComputationGraph.Batched(inputs + 1, inputShape));
        foreach (var op in ops) v = op.Forward(new[] { v });
        var flat = v.reshape(inputs + 1, outputs).cpu();
        var bias = flat[0];
        var weight = (flat[TensorIndex.Slice(1)] - bias).t().contiguous();
        var w = new double[outputs, inputs];
        var wData = weight.data<double>().ToArray();
        Buffer.BlockCopy(wData, 0, w, 0, wData.Length * sizeof(double));
        return new DenseLayer(w, bias.data<double>().ToArray(), activation);
    }
}
