using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// Base of two-piece linear activations with the kink at 0 (<see cref="Hinge"/>): the derivative, slope ranges and
/// smoothed derivative follow from the negative-side slope; a subclass gives the relaxation.
/// </summary>
public abstract class HingeActivation : ActivationOperator
{
    /// <summary>The slope below 0, in [0, 1].</summary>
    public abstract double NegativeSlope { get; }

    /// <inheritdoc />
    public override Hinge PiecewiseLinear => new(NegativeSlope);

    /// <inheritdoc />
    public override double MinSlope => NegativeSlope;

    /// <inheritdoc />
    public override double MaxSlope => 1;

    /// <inheritdoc />
    public override Tensor? Inexact(IntervalBounds bounds) => (bounds.Lower < 0).logical_and(bounds.Upper > 0);

    /// <inheritdoc />
    public override Tensor Derivative(Tensor x) => torch.where(x > 0, torch.ones_like(x), torch.full_like(x, NegativeSlope));

    /// <inheritdoc />
    /// <remarks>1 where x &gt;= 0 on the interval, the negative slope where x &lt;= 0, both otherwise; l &gt;= 0 wins when
    /// both hold (a constant zero pre-activation, where the slope does not matter).</remarks>
    public override IntervalBounds SlopeRange(IntervalBounds input)
    {
        var (l, u) = (input.Lower, input.Upper);
        var one = torch.ones_like(l);
        var low = torch.full_like(l, NegativeSlope);
        var lo = torch.where(l >= 0, one, low);
        var hi = torch.where(u <= 0, low, one);
        return new IntervalBounds(lo, torch.maximum(hi, lo));
    }

    /// <inheritdoc />
    /// <remarks>The step is replaced by sigmoid(x / (temperature·mean|x|)).</remarks>
    public override Tensor SmoothedDerivative(Tensor x, double temperature) =>
        NegativeSlope + (1 - NegativeSlope) * torch.sigmoid(x / (temperature * x.detach().abs().mean() + 1e-9));
}
