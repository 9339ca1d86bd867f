using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>
/// Bounds of an activation's (Clarke) derivative over a pre-activation interval: ReLU 1 when z ≥ 0 on the interval,
/// 0 when z ≤ 0, [0, 1] otherwise; sigmoid and tanh from their unimodal derivatives (largest at the point of the
/// interval nearest 0, smallest at an end).
/// </summary>
public static class SlopeBounds
{
    /// <summary>Relative outward rounding of the smooth derivative bounds.</summary>
    const double Slack = 1e-12;

    /// <summary>[lower, upper] of the derivative for the pre-activation bounds (any shape).</summary>
    public static IntervalBounds Of(DenseActivation activation, IntervalBounds z)
    {
        var (l, u) = (z.Lower, z.Upper);
        switch (activation)
        {
            case DenseActivation.Relu:
                var one = ones_like(l);
                var lo = where(l >= 0, one, zeros_like(l));
                var hi = where(u <= 0, zeros_like(u), one);
                // l ≥ 0 wins over u ≤ 0 when both hold (a constant zero pre-activation): then the slope is irrelevant.
                return new IntervalBounds(lo, torch.maximum(hi, lo));
            case DenseActivation.Sigmoid:
            case DenseActivation.Tanh:
                var mid = torch.minimum(torch.maximum(zeros_like(l), l), u);
                var dl = torch.minimum(Derivative(activation, l), Derivative(activation, u));
                var du = Derivative(activation, mid);
                return new IntervalBounds((dl * (1 - Slack)).clamp_min(0), du * (1 + Slack));
            default:
                return new IntervalBounds(ones_like(l), ones_like(l));
        }
    }

    /// <summary>The derivative of a smooth activation, elementwise.</summary>
    public static Tensor Derivative(DenseActivation activation, Tensor z) => activation switch
    {
        DenseActivation.Sigmoid => sigmoid(z) * (1 - sigmoid(z)),
        DenseActivation.Tanh => 1 - tanh(z).square(),
        DenseActivation.Relu => (z > 0).to_type(z.dtype),
        _ => ones_like(z),
    };

    /// <summary>Largest absolute derivative of an activation anywhere (its global Lipschitz constant).</summary>
    public static double GlobalMax(DenseActivation activation) => activation == DenseActivation.Sigmoid ? 0.25 : 1;
}
