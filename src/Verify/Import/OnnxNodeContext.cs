using Verify.Graph;
using Verify.Import.Proto;
using Verify.Operators;
using static TorchSharp.torch;

namespace Verify.Import;

/// <summary>What a converter sees of one ONNX node: its inputs (constants or graph nodes), attributes, and a way to add graph nodes.</summary>
public sealed class OnnxNodeContext
{
    readonly List<Node> nodes;
    readonly HashSet<string> names;

    internal OnnxNodeContext(NodeProto node, OnnxValue?[] inputs, List<Node> nodes, HashSet<string> names)
    {
        this.names = names;
        Node = node;
        Inputs = inputs;
        Attributes = new OnnxAttributes(node);
        this.nodes = nodes;
    }

    /// <summary>The ONNX node.</summary>
    public NodeProto Node { get; }

    /// <summary>The node's inputs in order; null for an omitted optional input.</summary>
    public OnnxValue?[] Inputs { get; }

    /// <summary>The node's attributes.</summary>
    public OnnxAttributes Attributes { get; }

    /// <summary>Display name of the node.</summary>
    public string Name => string.IsNullOrEmpty(Node.Name) ? (Node.Output.Count > 0 ? Node.Output[0] : Node.OpType) : Node.Name;

    /// <summary>True when input <paramref name="i"/> is present and constant.</summary>
    public bool IsConstant(int i) => i < Inputs.Length && Inputs[i] is ConstantValue;

    /// <summary>True when input <paramref name="i"/> is present.</summary>
    public bool Has(int i) => i < Inputs.Length && Inputs[i] is not null;

    /// <summary>Constant input <paramref name="i"/>; a user error when it is not constant.</summary>
    public Tensor Constant(int i) => Inputs.ElementAtOrDefault(i) is ConstantValue c ? c.Tensor
        : throw Error($"input {i} must be a constant (an initializer or a foldable sub-graph)");

    /// <summary>Variable input <paramref name="i"/>; a user error when it is constant or absent.</summary>
    public NodeValue Variable(int i) => Inputs.ElementAtOrDefault(i) is NodeValue v ? v
        : throw Error($"input {i} must depend on the network input");

    /// <summary>Adds a graph node computing <paramref name="op"/> of the given inputs and returns its value.</summary>
    public NodeValue Add(Operator op, params NodeValue[] inputs)
    {
        long[] shape;
        try
        {
            shape = op.InferShape(inputs.Select(v => v.Shape).ToArray());
            OnnxShapes.CheckValueShape(shape);
        }
        catch (VerifyException e)
        {
            throw Error(e.Message);
        }
        var index = nodes.Count;
        var name = names.Add(Name) ? Name : $"{Name}#{index}";
        names.Add(name);
        nodes.Add(new Node(index, name, op, inputs.Select(v => v.Node).ToArray(), shape));
        return new NodeValue(index, shape);
    }

    /// <summary>A user error about this node.</summary>
    public VerifyException Error(string message) => Attributes.Error(message);
}
