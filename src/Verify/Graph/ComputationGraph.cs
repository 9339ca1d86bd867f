using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Graph;

/// <summary>
/// A network as a DAG of nodes in topological order: node 0 is the input, <see cref="OutputIndex"/> the output.
/// Shapes are per sample; every tensor flowing through it carries a leading batch dimension.
/// </summary>
public sealed class ComputationGraph
{
    /// <summary>Creates a graph from nodes already in topological order (node 0 the input).</summary>
    public ComputationGraph(IReadOnlyList<Node> nodes, int outputIndex, string inputName, string outputName)
    {
        if (nodes.Count == 0 || nodes[0].Op is not InputOp) throw new ArgumentException("node 0 must be the input");
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Index != i) throw new ArgumentException($"node {i} has index {nodes[i].Index}");
            foreach (var j in nodes[i].Inputs)
                if (j >= i) throw new ArgumentException($"node {nodes[i].Name} is not in topological order");
        }
        Nodes = nodes;
        OutputIndex = outputIndex;
        InputName = inputName;
        OutputName = outputName;
        Consumers = BuildConsumers(nodes);
    }

    /// <summary>Nodes in topological order.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Index of the output node.</summary>
    public int OutputIndex { get; }

    /// <summary>The ONNX input name.</summary>
    public string InputName { get; }

    /// <summary>The ONNX output name.</summary>
    public string OutputName { get; }

    /// <summary>For each node, the indices of the nodes that consume it.</summary>
    public IReadOnlyList<int[]> Consumers { get; }

    /// <summary>Per-sample input shape.</summary>
    public long[] InputShape => Nodes[0].Shape;

    /// <summary>Per-sample output shape.</summary>
    public long[] OutputShape => Nodes[OutputIndex].Shape;

    /// <summary>Number of input variables (the flattened input).</summary>
    public long InputSize => Nodes[0].Numel;

    /// <summary>Number of output variables (the flattened output).</summary>
    public long OutputSize => Nodes[OutputIndex].Numel;

    /// <summary>Total number of constant parameters.</summary>
    public long ParameterCount => Nodes.Sum(n => n.Op.ParameterCount);

    /// <summary>Concrete output for a batched input [batch, ...InputShape].</summary>
    public Tensor Forward(Tensor input) => ForwardAll(input)[OutputIndex];

    /// <summary>Concrete values of every node (entries past the output, if any, are null).</summary>
    public Tensor[] ForwardAll(Tensor input)
    {
        var values = new Tensor[Nodes.Count];
        values[0] = input.reshape(Batched(input.shape[0], InputShape));
        for (int i = 1; i <= OutputIndex; i++)
        {
            var n = Nodes[i];
            values[i] = n.Op.Forward(n.Inputs.Select(j => values[j]).ToArray());
        }
        return values;
    }

    /// <summary>A copy of the graph with every constant converted (e.g. to a device and dtype).</summary>
    public ComputationGraph Map(Func<Tensor, Tensor> convert) =>
        new(Nodes.Select(n => n with { Op = n.Op.Map(convert) }).ToList(), OutputIndex, InputName, OutputName);

    /// <summary>A copy of the graph on the given device and floating dtype.</summary>
    public ComputationGraph To(Device device, ScalarType dtype) =>
        Map(t => t.is_floating_point() ? t.to(dtype, device) : t.to(device));

    /// <summary>The shape [batch, ...sampleShape].</summary>
    public static long[] Batched(long batch, long[] sampleShape) => sampleShape.Prepend(batch).ToArray();

    /// <summary>Indices of the nodes the output depends on, including itself.</summary>
    public bool[] AncestorsOf(int node)
    {
        var mark = new bool[Nodes.Count];
        mark[node] = true;
        for (int i = node; i >= 0; i--)
            if (mark[i])
                foreach (var j in Nodes[i].Inputs) mark[j] = true;
        return mark;
    }

    static int[][] BuildConsumers(IReadOnlyList<Node> nodes)
    {
        var lists = nodes.Select(_ => new List<int>()).ToArray();
        foreach (var n in nodes)
            foreach (var j in n.Inputs.Distinct()) lists[j].Add(n.Index);
        return lists.Select(l => l.ToArray()).ToArray();
    }
}
