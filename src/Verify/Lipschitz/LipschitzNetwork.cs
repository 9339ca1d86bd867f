using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>
/// A chain-shaped network prepared for Lipschitz analysis: the float64 graph (for the engine's forward bounds), its
/// dense layers (for the Jacobian graph, the MILP and the norms; Conv layers enter through their densified matrices)
/// and, for each hidden layer, the graph node holding its pre-activation values.
/// </summary>
public sealed class LipschitzNetwork
{
    LipschitzNetwork(ComputationGraph graph, DenseNetwork dense, int[] preActivationNodes)
    {
        Graph = graph;
        Dense = dense;
        PreActivationNodes = preActivationNodes;
        Weights = dense.Layers.Select(l => ToTensor(l.Weight)).ToArray();
        Biases = dense.Layers.Select(l => { var b = tensor(l.Bias, dtype: ScalarType.Float64, device: CPU); b.DetachFromDisposeScope(); return b; }).ToArray();
    }

    /// <summary>The graph in float64 on the CPU.</summary>
    public ComputationGraph Graph { get; }

    /// <summary>The dense layers.</summary>
    public DenseNetwork Dense { get; }

    /// <summary>Graph node of each hidden layer's pre-activation (the input of its activation node).</summary>
    public int[] PreActivationNodes { get; }

    /// <summary>Dense weights W_k [n_k, n_{k-1}] as float64 CPU tensors, input layer first.</summary>
    public Tensor[] Weights { get; }

    /// <summary>Dense biases b_k [n_k].</summary>
    public Tensor[] Biases { get; }

    /// <summary>Number of hidden (activated) layers.</summary>
    public int HiddenLayers => Dense.Layers.Count - 1;

    /// <summary>Activation of hidden layer k.</summary>
    public ActivationOperator ActivationOf(int k) => Dense.Layers[k].Activation!;

    /// <summary>True when every hidden activation is two-piece linear (<see cref="ActivationOperator.PiecewiseLinear"/>).</summary>
    public bool IsPiecewiseLinear => Dense.Layers.Take(HiddenLayers).All(l => l.Activation!.PiecewiseLinear is not null);

    /// <summary>
    /// True when every hidden activation is a hinge that is 0 below 0 (a ReLU's shape): the LipMIP MILP, the pattern LPs
    /// and the Lipschitz branch-and-bound encode derivatives in {0, 1}.
    /// </summary>
    public bool HasZeroOneSlopes => Dense.Layers.Take(HiddenLayers).All(l => l.Activation!.PiecewiseLinear is { NegativeSlope: 0 });

    /// <summary>Prepares a chain-shaped graph; throws <see cref="VerifyException"/> for unsupported graphs.</summary>
    public static LipschitzNetwork FromGraph(ComputationGraph graph) => FromGraph(graph, DenseNetwork.FromGraph(graph));

    /// <summary>Prepares a chain-shaped graph whose dense layers <paramref name="dense"/> are already built from it.</summary>
    public static LipschitzNetwork FromGraph(ComputationGraph graph, DenseNetwork dense)
    {
        if (dense.HasPairs)
            throw new VerifyException("the network has MaxMin/Householder layers: the local Lipschitz methods need elementwise activations (use --method lipsdp)");
        var g = graph.To(CPU, ScalarType.Float64);
        var pre = new List<int>();
        for (int i = 1; i <= g.OutputIndex; i++)
            if (g.Nodes[i].Op is ActivationOperator) pre.Add(g.Nodes[i].Inputs[0]);
        if (pre.Count != dense.Layers.Count - 1)
            throw new VerifyException("the network's activations do not match its dense layers");
        return new LipschitzNetwork(g, dense, pre.ToArray());
    }

    /// <summary>Builds the graph of a dense network (Linear and activation nodes) and prepares it.</summary>
    public static LipschitzNetwork FromDense(DenseNetwork dense) => FromGraph(ToGraph(dense));

    /// <summary>A graph of Linear and activation nodes computing the dense network, sample shape [inputs].</summary>
    public static ComputationGraph ToGraph(DenseNetwork dense)
    {
        var nodes = new List<Node> { new(0, "x", new InputOp(new long[] { dense.InputSize }), Array.Empty<int>(), new long[] { dense.InputSize }) };
        for (int k = 0; k < dense.Layers.Count; k++)
        {
            var layer = dense.Layers[k];
            var w = ToTensor(layer.Weight);
            var b = tensor(layer.Bias, dtype: ScalarType.Float64, device: CPU);
            nodes.Add(new Node(nodes.Count, $"fc{k}", new Linear(w, b), new[] { nodes.Count - 1 }, new long[] { layer.Outputs }));
            if (layer.Pairs is not null) throw new VerifyException("a dense network with pair layers has no graph form here");
            if (layer.Activation is { } act) nodes.Add(new Node(nodes.Count, $"act{k}", act, new[] { nodes.Count - 1 }, new long[] { layer.Outputs }));
        }
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }

    static Tensor ToTensor(double[,] w)
    {
        var flat = new double[w.Length];
        Buffer.BlockCopy(w, 0, flat, 0, flat.Length * sizeof(double));
        var t = tensor(flat, dtype: ScalarType.Float64, device: CPU).reshape(w.GetLength(0), w.GetLength(1));
        t.DetachFromDisposeScope();
        return t;
    }
}
