using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>Where a neuron's pre-activation interval [l, u] is split by <see cref="IntervalSplitBab"/>.</summary>
public enum SplitPointRule
{
    /// <summary>The candidate point (15 evenly spaced inner points, and 0 when inside) minimising the two children's summed relaxation areas.</summary>
    MinArea,
    /// <summary>The midpoint (l + u) / 2.</summary>
    Midpoint,
}

/// <summary>
/// Split points of activation neurons: 0 for a piecewise-linear (hinge) activation, which makes both children exact;
/// for a smooth one the <see cref="SplitPointRule"/>. The relaxation area ∫(upper − lower) over an interval is computed
/// from the operator's own relaxation lines, batched over every candidate.
/// </summary>
public static class SplitPoint
{
    /// <summary>Inner candidate points per interval for <see cref="SplitPointRule.MinArea"/>.</summary>
    const int Candidates = 15;

    /// <summary>The split points [n] of the intervals [l, u] ([n] each, l &lt; u) of neurons of activation <paramref name="op"/>.</summary>
    public static Tensor Choose(ActivationOperator op, Tensor l, Tensor u, SplitPointRule rule)
    {
        if (op.PiecewiseLinear is not null) return torch.zeros_like(l);
        var mid = (l + u) / 2;
        if (rule == SplitPointRule.Midpoint) return mid;
        var t = torch.arange(1, Candidates + 1, dtype: l.dtype, device: l.device) / (Candidates + 1);
        var p = l.unsqueeze(1) + t.unsqueeze(0) * (u - l).unsqueeze(1);
        // 0 is where the curvature changes sign, a natural point to test too (mid when it is outside).
        var zero = torch.where((l < 0).logical_and(u > 0), torch.zeros_like(l), mid).unsqueeze(1);
        p = torch.cat(new[] { p, zero }, 1);
        var lo = l.unsqueeze(1).expand_as(p);
        var hi = u.unsqueeze(1).expand_as(p);
        var total = Area(op, lo, p) + Area(op, p, hi);
        var best = torch.where(total.isnan(), torch.full_like(total, double.PositiveInfinity), total).argmin(1, keepdim: true);
        var chosen = p.gather(1, best).squeeze(1);
        // A point at an end would leave a child equal to its parent: fall back to the midpoint.
        return torch.where((chosen > l).logical_and(chosen < u), chosen, mid);
    }

    /// <summary>The area between the relaxation's upper and lower lines over [l, u], elementwise.</summary>
    public static Tensor Area(ActivationOperator op, Tensor l, Tensor u)
    {
        var r = op.Relax(l, u);
        var slope = r.UpperSlope - r.LowerSlope;
        var intercept = r.UpperIntercept - r.LowerIntercept;
        return slope * (u * u - l * l) / 2 + intercept * (u - l);
    }
}
