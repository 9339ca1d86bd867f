using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// LeakyReLU: x for x &gt;= 0, slope·x otherwise (0 &lt;= slope &lt;= 1). Upper relaxation: the chord; lower: a line
/// through the origin with slope in [slope, 1] (CROWN's adaptive choice or alpha).
/// </summary>
public sealed class LeakyRelu : HingeActivation
{
    /// <summary>Creates the activation with the given negative-side slope.</summary>
    public LeakyRelu(double slope)
    {
        if (slope is < 0 or > 1) throw new VerifyException($"LeakyRelu with alpha {slope} is not supported (0 <= alpha <= 1)");
        Slope = slope;
    }

    /// <summary>Slope for negative inputs.</summary>
    public double Slope { get; }

    /// <inheritdoc />
    public override double NegativeSlope => Slope;

    /// <inheritdoc />
    public override string OpType => "LeakyRelu";

    /// <inheritdoc />
    public override Tensor Apply(Tensor x) => nn.functional.leaky_relu(x, Slope);

    /// <inheritdoc />
    public override Tensor InitialAlpha(Tensor lower, Tensor upper) =>
        torch.where(upper > -lower, torch.ones_like(upper), torch.full_like(upper, Slope));

    /// <inheritdoc />
    public override Relaxation Relax(Tensor lower, Tensor upper, Tensor? alpha = null)
    {
        var active = lower >= 0;
        var inactive = upper <= 0;
        var unstable = active.logical_or(inactive).logical_not();
        var width = torch.where(unstable, upper - lower, torch.ones_like(upper));
        var chordSlope = (Apply(upper) - Apply(lower)) / width;
        var fixedSlope = torch.where(active, torch.ones_like(upper), torch.full_like(upper, Slope));
        var upperSlope = torch.where(unstable, chordSlope, fixedSlope);
        // The chord's intercept (1 - slope)·u·(-l)/(u - l), written without the cancellation of f(l) - chordSlope·l.
        var upperIntercept = torch.where(unstable, (1 - Slope) * upper * (-lower) / width, torch.zeros_like(upper));
        Tensor lowerSlope;
        if (alpha is null)
        {
            var adaptive = torch.where(upper > -lower, torch.ones_like(upper), torch.full_like(upper, Slope));
            lowerSlope = torch.where(unstable, adaptive, fixedSlope);
        }
        else
        {
            var uns = unstable.unsqueeze(1);
            lowerSlope = torch.where(uns, alpha.clamp(Slope, 1), fixedSlope.unsqueeze(1));
        }
        return new Relaxation(lowerSlope, torch.zeros_like(lower), upperSlope, upperIntercept);
    }
}
