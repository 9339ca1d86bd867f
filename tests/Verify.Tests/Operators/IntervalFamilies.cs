using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Operators;

/// <summary>Kinds of input intervals a relaxation must be sound on.</summary>
public enum IntervalFamily { AllPositive, AllNegative, Crossing, BarelyCrossing, ZeroWidth, Huge50, Huge1e3, Huge1e4 }

/// <summary>Random intervals [batch 2, 128] of each family, exactly representable in the requested dtype.</summary>
public static class IntervalFamilies
{
    /// <summary>Lower and upper bounds [2, 128] of the given family, in <paramref name="dtype"/>.</summary>
    public static (Tensor Lower, Tensor Upper) Make(IntervalFamily family, ScalarType dtype, int seed)
    {
        var gen = new Generator((ulong)seed);
        Tensor R() => torch.rand(2, 128, generator: gen, dtype: ScalarType.Float64);
        Tensor l, u;
        switch (family)
        {
            case IntervalFamily.AllPositive: l = 5 * R(); u = l + 5 * R(); break;
            case IntervalFamily.AllNegative: u = -5 * R(); l = u - 5 * R(); break;
            case IntervalFamily.Crossing: l = -(0.01 + 5 * R()); u = 0.01 + 5 * R(); break;
            case IntervalFamily.BarelyCrossing:
            {
                // One side within 1e-9..1e-3 of zero, the other tiny or of order one.
                Tensor Tiny() => torch.exp(-Math.Log(10) * (3 + 6 * R()));
                var other = torch.where(R() < 0.3, Tiny(), 5 * R() + 1e-3);
                var flip = R() < 0.5;
                l = torch.where(flip, -Tiny(), -other);
                u = torch.where(flip, other, Tiny());
                break;
            }
            case IntervalFamily.ZeroWidth:
                l = 10 * torch.randn(2, 128, generator: gen, dtype: ScalarType.Float64);
                l[0, ..4] = torch.tensor(new[] { 0.0, 1e3, -1e3, 1e4 }, dtype: ScalarType.Float64);
                u = l.clone();
                break;
            default:
            {
                double scale = family switch { IntervalFamily.Huge50 => 50, IntervalFamily.Huge1e3 => 1e3, _ => 1e4 };
                var a = scale * (2 * R() - 1);
                var b = scale * (2 * R() - 1);
                l = torch.minimum(a, b);
                u = torch.maximum(a, b);
                var fixedL = new[] { -scale, -scale, -0.1, scale - 1, -scale, -scale };
                var fixedU = new[] { scale, 0.1, scale, scale, 1 - scale, -scale };
                l[0, ..6] = torch.tensor(fixedL, dtype: ScalarType.Float64);
                u[0, ..6] = torch.tensor(fixedU, dtype: ScalarType.Float64);
                break;
            }
        }
        l = l.to_type(dtype);
        u = u.to_type(dtype);
        return (l, torch.maximum(l, u));
    }

    /// <summary>
    /// Points of [l, u] in float64, [2, 1, 128, samples]: l, u and the midpoint first, then uniform ones.
    /// </summary>
    public static Tensor Points(Tensor lower, Tensor upper, int samples, int seed)
    {
        var gen = new Generator((ulong)seed);
        var l = lower.to_type(ScalarType.Float64).reshape(2, 1, 128, 1);
        var u = upper.to_type(ScalarType.Float64).reshape(2, 1, 128, 1);
        var t = torch.rand(new long[] { 2, 1, 128, samples }, generator: gen, dtype: ScalarType.Float64);
        t[.., .., .., 0] = 0;
        t[.., .., .., 1] = 1;
        t[.., .., .., 2] = 0.5;
        return torch.minimum(torch.maximum(l + (u - l) * t, l), u);
    }
}
