using Verify.Operators;

namespace Verify.Graph;

/// <summary>One node of the computation graph: an operator applied to the outputs of earlier nodes.</summary>
/// <param name="Index">Position in the graph's topological order.</param>
/// <param name="Name">The ONNX node name (or the output name when the node had none).</param>
/// <param name="Op">The operator and its constants.</param>
/// <param name="Inputs">Indices of the producer nodes, in operator order.</param>
/// <param name="Shape">Per-sample output shape (the batch dimension excluded).</param>
public sealed record Node(int Index, string Name, Operator Op, int[] Inputs, long[] Shape)
{
    /// <summary>Number of elements of one sample's output.</summary>
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);
}
