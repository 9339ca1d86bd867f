using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>The interval rule of an affine map y = W∘x + b: centre through W and b, radius through |W|.</summary>
public static class WeightedInterval
{
    /// <summary>
    /// Bounds of <paramref name="apply"/>(x, W, b) over the box <paramref name="input"/>, where apply is linear in x
    /// for fixed W and adds b.
    /// </summary>
    public static IntervalBounds Of(IntervalBounds input, Func<Tensor, Tensor, Tensor?, Tensor> apply, Tensor weight, Tensor? bias)
    {
        var c = apply(input.Center, weight, bias);
        var r = apply(input.Radius, weight.abs(), null);
        return new IntervalBounds(c - r, c + r);
    }
}
