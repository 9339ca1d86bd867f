using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// A BaBSR-like branching score for any activation: how much a lower bound can lose to the neuron's relaxation, the
/// positive part of its coefficient A times the lower line's largest gap below f, plus the negative part times the
/// upper line's largest gap above f (gaps measured at five evenly spaced points of [l, u]), plus a small gap term so
/// that neurons with A = 0 still rank by their relaxation's looseness. For an unstable ReLU the upper gap is BaBSR's
/// intercept term.
/// </summary>
public static class RelaxationGapScore
{
    /// <summary>Points per interval at which the gaps are measured.</summary>
    const int Points = 5;

    /// <summary>
    /// The scores [n, neurons] from the intervals [l, u] ([n, neurons]) and the summed positive and negative parts of
    /// the coefficients of the neuron's output over the counted specifications ([n, neurons] each).
    /// </summary>
    public static Tensor Of(ActivationOperator op, Tensor l, Tensor u, Tensor positive, Tensor negative)
    {
        var r = op.Relax(l, u);
        var t = torch.linspace(0, 1, Points, dtype: l.dtype, device: l.device);
        var x = l.unsqueeze(2) + t * (u - l).unsqueeze(2);
        var f = op.Apply(x);
        var below = (f - (r.LowerSlope.unsqueeze(2) * x + r.LowerIntercept.unsqueeze(2))).amax(2).clamp_min(0);
        var above = (r.UpperSlope.unsqueeze(2) * x + r.UpperIntercept.unsqueeze(2) - f).amax(2).clamp_min(0);
        var score = positive * below + negative * above + 1e-4 * (below + above);
        return torch.where(score.isnan(), torch.zeros_like(score), score);
    }
}
