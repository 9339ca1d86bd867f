using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>
/// IBP bounds of the margins with the specification folded into the last layer, as <see cref="IbpPass.SpecLower"/>
/// with <see cref="MarginSpec.Matrix"/>, but with the rows W_y - W_j gathered instead of multiplied by C: O(batch·K·H)
/// instead of O(batch·K²·H) for K classes and H last-layer inputs.
/// </summary>
public static class FoldedIbp
{
    /// <summary>Lower and upper bounds [batch, K] of m_j = z_j - z_y (0 for j = y) from the boxes of <see cref="IbpPass.LayerInputs"/>.</summary>
    public static (Tensor Lower, Tensor Upper) Differences(Network net, (Tensor Center, Tensor Radius)[] boxes, Tensor labels)
    {
        var w = net.Last.Weight;
        var b = net.Last.Bias;
        var rows = w.unsqueeze(0) - w.index_select(0, labels).unsqueeze(1);
        var bias = b.unsqueeze(0) - b.index_select(0, labels).unsqueeze(1);
        var (center, radius) = boxes[^1];
        var mid = (rows * center.unsqueeze(1)).sum(2) + bias;
        var spread = (rows.abs() * radius.unsqueeze(1)).sum(2);
        return (mid - spread, mid + spread);
    }

    /// <summary>Lower bounds [batch, K] of the margins z_y - z_j (the same numbers as IbpPass.SpecLower with the margin matrix).</summary>
    public static Tensor MarginLower(Network net, (Tensor Center, Tensor Radius)[] boxes, Tensor labels) => -Differences(net, boxes, labels).Upper;
}
