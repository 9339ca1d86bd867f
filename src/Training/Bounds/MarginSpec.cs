using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>The robustness specification of a labelled batch: margins z_y - z_j for every class j.</summary>
public static class MarginSpec
{
    /// <summary>C [batch, classes, classes] with row j = e_y - e_j (row y is zero).</summary>
    public static Tensor Matrix(Tensor labels, long classes)
    {
        var eye = torch.eye(classes, device: labels.device);
        var target = eye.index_select(0, labels).unsqueeze(1);
        return target - eye.unsqueeze(0);
    }

    /// <summary>
    /// Whether every margin lower bound [batch, classes] of another class is positive (row y, always 0, ignored).
    /// </summary>
    public static Tensor Certified(Tensor marginLower, Tensor labels)
    {
        var isLabel = nn.functional.one_hot(labels, marginLower.shape[1]).to_type(ScalarType.Bool);
        return torch.where(isLabel, torch.ones_like(marginLower), marginLower).gt(0).all(1);
    }

    /// <summary>Cross-entropy on the worst-case logits -lower (Gowal et al.'s robust loss).</summary>
    public static Tensor RobustLoss(Tensor marginLower, Tensor labels) => nn.functional.cross_entropy(-marginLower, labels);
}
