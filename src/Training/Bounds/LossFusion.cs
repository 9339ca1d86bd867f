using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>
/// Loss fusion (auto_LiRPA, Xu et al. 2020): an upper bound of the worst-case cross-entropy over the input box with one
/// CROWN-IBP backward pass, whatever the number of classes K. With m_j = z_j - z_y and IBP bounds l_j ≤ m_j ≤ u_j,
/// CE = log Σ_j exp(m_j) = M + log Σ_j φ(m_j), φ(m) = exp(m - M), M = max_j u_j (no overflow). φ is convex, so on
/// [l_j, u_j] it lies under its chord φ(l_j) + a_j (m - l_j); the chords' sum is one linear function v·z of the
/// logits, v = Σ_j a_j (e_j - e_y), whose upper bound over the box is one CROWN-IBP pass with the single
/// specification v. Since log is increasing, CE ≤ M + log(Σ_j (φ(l_j) - a_j l_j) + max v·z).
/// </summary>
public static class LossFusion
{
    /// <summary>The fused bound [batch] with its pieces: chord slopes a [batch, K], intercepts φ(l_j) - a_j l_j [batch, K], shift M [batch].</summary>
    public sealed record Bound(Tensor Upper, Tensor Slopes, Tensor Intercepts, Tensor Shift);

    /// <summary>
    /// The fused upper bound of the cross-entropy for labels y over the input box [lower, upper], given the IBP boxes of
    /// <see cref="IbpPass.LayerInputs"/>.
    /// </summary>
    public static Bound Upper(Network net, (Tensor Center, Tensor Radius)[] boxes, Tensor labels, Tensor lower, Tensor upper, RunState state)
    {
        long k = net.Last.Weight.shape[0];
        // IBP bounds of m_j with the difference folded into the last layer (O(batch·K·H)).
        var (mLower, mUpper) = FoldedIbp.Differences(net, boxes, labels);
        var shift = mUpper.max(1, keepdim: true).values.detach();
        var width = (mUpper - mLower).clamp_min(1e-12);
        var philo = (mLower - shift).exp();
        // Chord slope (φ(u) - φ(l)) / (u - l) = φ(l)·expm1(w)/w; a width clamped up only steepens it (still above φ on [l, u]).
        var slopes = philo * torch.expm1(width) / width;
        var intercepts = philo - slopes * mLower;
        // v = Σ_j a_j (e_j - e_y) = a - (Σ_j a_j) e_y: one specification row; max v·z = -min(-v·z).
        var v = (slopes - slopes.sum(1, keepdim: true) * nn.functional.one_hot(labels, k).to(slopes.dtype)).unsqueeze(1);
        var vMax = -CrownIbp.SpecLower(net, boxes, -v, lower, upper, state).squeeze(1);
        var sum = intercepts.sum(1) + vMax;
        var bound = shift.squeeze(1) + sum.clamp_min(1e-30).log();
        return new Bound(bound, slopes, intercepts, shift.squeeze(1));
    }
}
