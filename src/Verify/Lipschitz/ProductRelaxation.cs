using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>Linear bounds aL·g + bL ≤ y ≤ aU·g + bU of y = s·g, elementwise tensors.</summary>
public readonly record struct LinearLines(Tensor UpperSlope, Tensor UpperIntercept, Tensor LowerSlope, Tensor LowerIntercept);

/// <summary>
/// Relaxations of the Jacobian product y = s·g for s ∈ [sl, su] (sl ≥ 0, the derivative bounds) and g ∈ [gl, gu].
/// With s free in its interval, the set {(g, s·g)} lies between min(sl·g, su·g) and max(sl·g, su·g); its convex hull
/// in the (g, y) plane is exact for sign-stable g and bounded by the two chords otherwise (for a ReLU, sl = 0 and
/// su = 1: y ≤ gu(g − gl)/(gu − gl), y ≥ gl(gu − g)/(gu − gl)). This is the McCormick envelope of s·g with s
/// projected out, which also covers sigmoid and tanh once their derivative is bounded.
/// </summary>
public static class ProductRelaxation
{
    /// <summary>Below this width of [gl, gu] a sign-mixed product is bounded by constants (no steep chords).</summary>
    const double MinWidth = 1e-12;

    /// <summary>The convex-hull lines (CROWN on the Jacobian graph).</summary>
    public static LinearLines Hull(Tensor sl, Tensor su, Tensor gl, Tensor gu)
    {
        var pos = gl >= 0;
        var neg = gu <= 0;
        var width = (gu - gl).clamp_min(MinWidth);
        var steep = (gu - gl) < MinWidth;
        var upSlope = (su * gu - sl * gl) / width;
        var upIntercept = sl * gl - upSlope * gl;
        var loSlope = (sl * gu - su * gl) / width;
        var loIntercept = su * gl - loSlope * gl;
        var zero = zeros_like(gl);
        // Mixed but too narrow: constants su·gu ≥ y ≥ su·gl.
        upSlope = where(steep, zero, upSlope);
        upIntercept = where(steep, su * gu, upIntercept);
        loSlope = where(steep, zero, loSlope);
        loIntercept = where(steep, su * gl, loIntercept);
        return new LinearLines(
            where(pos, su, where(neg, sl, upSlope)), where(pos.logical_or(neg), zero, upIntercept),
            where(pos, sl, where(neg, su, loSlope)), where(pos.logical_or(neg), zero, loIntercept));
    }

    /// <summary>
    /// RecurJac-style lines: exact (y = s·g) where the slope is fixed, the constant interval of s·g elsewhere.
    /// </summary>
    public static LinearLines Constant(Tensor sl, Tensor su, Tensor gl, Tensor gu)
    {
        var fixedSlope = sl == su;
        var (lo, hi) = Interval(sl, su, gl, gu);
        var zero = zeros_like(gl);
        return new LinearLines(where(fixedSlope, su, zero), where(fixedSlope, zero, hi),
            where(fixedSlope, sl, zero), where(fixedSlope, zero, lo));
    }

    /// <summary>The interval [min, max] of s·g over the box (interval arithmetic).</summary>
    public static (Tensor Lower, Tensor Upper) Interval(Tensor sl, Tensor su, Tensor gl, Tensor gu)
    {
        var a = sl * gl;
        var b = sl * gu;
        var c = su * gl;
        var d = su * gu;
        return (minimum(minimum(a, b), minimum(c, d)), maximum(maximum(a, b), maximum(c, d)));
    }
}
