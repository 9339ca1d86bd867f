using Verify.Import.Proto;

namespace Verify.Import;

/// <summary>Typed access to an ONNX node's attributes, with readable errors.</summary>
public sealed class OnnxAttributes
{
    readonly NodeProto node;
    readonly Dictionary<string, AttributeProto> byName;

    /// <summary>Wraps the attributes of a node.</summary>
    public OnnxAttributes(NodeProto node)
    {
        this.node = node;
        byName = new Dictionary<string, AttributeProto>();
        foreach (var a in node.Attribute) byName[a.Name] = a;
    }

    /// <summary>True when the attribute is present.</summary>
    public bool Has(string name) => byName.ContainsKey(name);

    /// <summary>An integer attribute or its default.</summary>
    public long Int(string name, long fallback) => byName.TryGetValue(name, out var a) ? a.I : fallback;

    /// <summary>A float attribute or its default.</summary>
    public double Float(string name, double fallback) => byName.TryGetValue(name, out var a) ? a.F : fallback;

    /// <summary>A string attribute or its default.</summary>
    public string String(string name, string fallback) => byName.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    /// <summary>An integer-list attribute or null.</summary>
    public long[]? Ints(string name) => byName.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    /// <summary>A float-list attribute or null.</summary>
    public float[]? Floats(string name) => byName.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    /// <summary>A tensor attribute or null.</summary>
    public TensorProto? Tensor(string name) => byName.TryGetValue(name, out var a) ? a.T : null;

    /// <summary>A user error about this node.</summary>
    public VerifyException Error(string message) => new($"{Prefix}: {message}");

    /// <summary>A user error about this node, caused by <paramref name="inner"/>.</summary>
    public VerifyException Error(string message, Exception inner) => new($"{Prefix}: {message}", inner);

    string Prefix => $"node '{(string.IsNullOrEmpty(node.Name) ? (node.Output.Count > 0 ? node.Output[0] : "?") : node.Name)}' ({node.OpType})";
}
