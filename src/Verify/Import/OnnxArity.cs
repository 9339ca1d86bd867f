using Verify.Import.Proto;

namespace Verify.Import;

/// <summary>How many inputs each supported ONNX operator takes (per the ONNX specification), checked before import.</summary>
public static class OnnxArity
{
    static readonly Dictionary<string, (int Min, int Max)> Inputs = new()
    {
        ["Identity"] = (1, 1), ["Dropout"] = (1, 3), ["Cast"] = (1, 1), ["Gemm"] = (2, 3), ["MatMul"] = (2, 2),
        ["Add"] = (2, 2), ["Sub"] = (2, 2), ["Mul"] = (2, 2), ["Div"] = (2, 2), ["Neg"] = (1, 1), ["Relu"] = (1, 1),
        ["LeakyRelu"] = (1, 1), ["Sigmoid"] = (1, 1), ["Tanh"] = (1, 1), ["Sqrt"] = (1, 1), ["Reciprocal"] = (1, 1),
        ["Conv"] = (2, 3), ["BatchNormalization"] = (5, 5), ["AveragePool"] = (1, 1), ["MaxPool"] = (1, 1),
        ["GlobalAveragePool"] = (1, 1), ["Flatten"] = (1, 1), ["Reshape"] = (2, 2), ["Squeeze"] = (1, 2),
        ["Unsqueeze"] = (1, 2), ["Transpose"] = (1, 1), ["Concat"] = (1, int.MaxValue), ["Pad"] = (1, 4),
        ["Constant"] = (0, 0), ["Shape"] = (1, 1), ["Gather"] = (2, 2), ["ConstantOfShape"] = (1, 1), ["Slice"] = (3, 5),
    };

    /// <summary>Checks every node's number of inputs, and that its required ones are not omitted; a user error for the first that is wrong.</summary>
    public static void Check(GraphProto g, string source)
    {
        foreach (var node in g.Node)
        {
            if (!Inputs.TryGetValue(node.OpType, out var arity)) continue;
            int n = node.Input.Count;
            if (n < arity.Min || n > arity.Max)
                throw new VerifyException($"{source}: node {OnnxGraphOrder.Describe(node)} has {n} input(s), expected {Range(arity)}");
            int required = node.OpType == "Concat" ? n : arity.Min;
            for (int i = 0; i < required; i++)
                if (string.IsNullOrEmpty(node.Input[i]))
                    throw new VerifyException($"{source}: node {OnnxGraphOrder.Describe(node)} omits its required input {i}");
            if (node.Output.Count == 0 || string.IsNullOrEmpty(node.Output[0]))
                throw new VerifyException($"{source}: node {OnnxGraphOrder.Describe(node)} has no output");
        }
    }

    static string Range((int Min, int Max) a) =>
        a.Min == a.Max ? $"{a.Min}" : a.Max == int.MaxValue ? $"at least {a.Min}" : $"{a.Min} to {a.Max}";
}
