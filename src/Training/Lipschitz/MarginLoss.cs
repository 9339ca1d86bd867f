using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>
/// The margin (offset) cross-entropy of Lipschitz-margin training (Tsuzuku et al. 2018; Prach and Lampert 2022):
/// T · CE((z − o·e_y) / T) with offset o = √2 L r, so the loss only falls once the margin passes the certifying
/// value at radius r; the temperature T sets how sharp the soft-max is.
/// </summary>
/// <param name="Offset">o, in logit units (√2 · Lipschitz bound · training radius).</param>
/// <param name="Temperature">T &gt; 0.</param>
public sealed record MarginLoss(double Offset, double Temperature)
{
    /// <summary>The loss of logits [n, classes] and labels [n] (mean over the batch).</summary>
    public Tensor Compute(Tensor z, Tensor y)
    {
        var shifted = z - Offset * nn.functional.one_hot(y, z.shape[1]).to(z.dtype);
        return Temperature * nn.functional.cross_entropy(shifted / Temperature, y);
    }

    /// <summary>The loss for a network with l2 Lipschitz bound <paramref name="lipschitz"/> trained for radius <paramref name="radius"/>.</summary>
    public static MarginLoss For(double lipschitz, double radius, double temperature) =>
        new(Math.Sqrt(2) * lipschitz * radius, temperature);
}
