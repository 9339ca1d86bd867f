using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Graph;

/// <summary>Elementwise lower and upper bounds of a batched tensor ([batch, ...shape]).</summary>
public readonly record struct IntervalBounds(Tensor Lower, Tensor Upper)
{
    /// <summary>The point interval [x, x].</summary>
    public static IntervalBounds Point(Tensor x) => new(x, x);

    /// <summary>
    /// Elementwise intersection with another sound interval of the same tensor. A NaN bound on one side (an overflowed
    /// interval, no information) yields the other side's; NaN on both sides stays NaN. Two sound intervals of one value
    /// overlap, so where rounding makes them cross (near-point intervals) the value lies in the gap between them, which
    /// is the result: an empty interval would be inflated by every later layer (its negative radius times |W|).
    /// </summary>
    public IntervalBounds Intersect(IntervalBounds other)
    {
        var lower = torch.fmax(Lower, other.Lower);
        var upper = torch.fmin(Upper, other.Upper);
        var crossed = lower > upper;
        return new(torch.where(crossed, upper, lower), torch.where(crossed, lower, upper));
    }

    /// <summary>Centre of the interval.</summary>
    public Tensor Center => (Lower + Upper) / 2;

    /// <summary>Half width of the interval.</summary>
    public Tensor Radius => (Upper - Lower) / 2;
}
