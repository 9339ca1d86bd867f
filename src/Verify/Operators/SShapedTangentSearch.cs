using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// For an S-shaped function and l &lt; 0: the point d* &gt;= 0 whose tangent passes through (l, f(l)), found by a fixed
/// number of vectorised bisection steps.
/// </summary>
static class SShapedTangentSearch
{
    /// <summary>Bisection steps: the bracket shrinks to 2^-40 of its width.</summary>
    const int Steps = 40;

    /// <summary>Upper end of the first bracket when it already contains d* (both functions are saturated far below it).</summary>
    const double Cap = 64;

    /// <summary>
    /// A point d in [0, d*] close to d* (so that the line through (l, f(l)) with slope f'(d) &gt;= f'(d*) bounds f from
    /// above on [l, ∞)), and whether d* &lt;= u. Elements with l &gt;= 0 or u &lt;= 0 get finite values of no meaning.
    /// </summary>
    public static (Tensor Point, Tensor Reachable) TouchPointBelow(SShapedActivation f, Tensor l, Tensor u)
    {
        var fl = f.Apply(l);
        // g(d) = tangent at d evaluated at l, minus f(l): non-positive at 0, increasing on [0, ∞) and zero at d*.
        Tensor Excess(Tensor d) => f.Apply(d) + f.Derivative(d) * (l - d) - fl;
        var reachable = Excess(u) >= 0;
        var capped = u.clamp_max(Cap);
        var right = torch.where(Excess(capped) >= 0, capped, u);
        // Bisection on the fraction t of [0, right]: invariant g(t_lo·right) < 0 (or t_lo = 0) and g(t_hi·right) >= 0.
        var lo = torch.zeros_like(l);
        var hi = torch.ones_like(l);
        for (int i = 0; i < Steps; i++)
        {
            var mid = (lo + hi) / 2;
            var above = Excess(mid * right) >= 0;
            hi = torch.where(above, mid, hi);
            lo = torch.where(above, lo, mid);
        }
        return (lo * right, reachable);
    }
}
