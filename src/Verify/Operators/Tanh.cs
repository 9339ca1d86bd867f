using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>The hyperbolic tangent, relaxed as an S-shaped function (see <see cref="SShapedActivation"/>).</summary>
public sealed class Tanh : SShapedActivation
{
    /// <inheritdoc />
    public override string OpType => "Tanh";

    /// <inheritdoc />
    public override Tensor Apply(Tensor x) => torch.tanh(x);

    /// <inheritdoc />
    public override Tensor Derivative(Tensor x)
    {
        // sech²(x) = 4·e^(-2|x|) / (1 + e^(-2|x|))², without the cancellation of 1 - tanh²(x) near saturation.
        var e = torch.exp(-2 * x.abs());
        return 4 * e / (1 + e).square();
    }

    /// <inheritdoc />
    protected override double CentreValue => 0;

    /// <inheritdoc />
    public override double MaxSlope => 1;
}
