using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>Logit margins and the l2 certificate they give with a Lipschitz bound.</summary>
public static class Margins
{
    /// <summary>The largest logit of a wrong class ([n]) of logits [n, classes] and labels [n].</summary>
    public static Tensor WorstOther(Tensor z, Tensor y)
    {
        var isLabel = nn.functional.one_hot(y, z.shape[1]).to_type(ScalarType.Bool);
        return torch.where(isLabel, torch.full_like(z, double.NegativeInfinity), z).max(1).values;
    }

    /// <summary>z_y − max_{j≠y} z_j ([n]); positive exactly when the image is classified correctly (ties count as wrong).</summary>
    public static Tensor Of(Tensor z, Tensor y) => z.gather(1, y.unsqueeze(1)).squeeze(1) - WorstOther(z, y);

    /// <summary>
    /// The largest l2 radius certified by a margin m with an l2 Lipschitz bound L of the logit map: every margin
    /// z_y − z_j changes by at most √2 L ‖δ‖₂, so m > √2 L r certifies radius r; returns m / (√2 L) (≤ 0: not even correct).
    /// </summary>
    public static Tensor CertifiedRadius(Tensor margin, double lipschitz) => margin / (Math.Sqrt(2) * lipschitz);

    /// <summary>Whether each image is certified at radius r: margin &gt; √2 L r (and the image is correct).</summary>
    public static Tensor Certified(Tensor margin, double lipschitz, double r) =>
        (margin > Math.Sqrt(2) * lipschitz * r).logical_and(margin > 0);
}
