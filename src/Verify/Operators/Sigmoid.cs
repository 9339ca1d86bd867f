using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>The logistic sigmoid 1 / (1 + e^-x), relaxed as an S-shaped function (see <see cref="SShapedActivation"/>).</summary>
public sealed class Sigmoid : SShapedActivation
{
    /// <inheritdoc />
    public override string OpType => "Sigmoid";

    /// <inheritdoc />
    public override Tensor Apply(Tensor x) => torch.sigmoid(x);

    /// <inheritdoc />
    public override Tensor Derivative(Tensor x) => torch.sigmoid(x) * torch.sigmoid(-x);

    /// <inheritdoc />
    protected override double CentreValue => 0.5;

    /// <inheritdoc />
    public override double MaxSlope => 0.25;
}
