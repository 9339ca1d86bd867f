using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>ReLU: max(x, 0). Upper relaxation: the chord; lower: slope in [0,1] (CROWN's adaptive choice or alpha).</summary>
public sealed class Relu : HingeActivation
{
    /// <inheritdoc />
    public override double NegativeSlope => 0;

    /// <inheritdoc />
    public override string OpType => "Relu";

    /// <inheritdoc />
    public override Tensor Apply(Tensor x) => torch.nn.functional.relu(x);

    /// <inheritdoc />
    public override Tensor InitialAlpha(Tensor lower, Tensor upper) => (upper > -lower).to_type(upper.dtype);

    /// <inheritdoc />
    public override Relaxation Relax(Tensor lower, Tensor upper, Tensor? alpha = null)
    {
        var active = lower >= 0;
        var unstable = (lower < 0).logical_and(upper > 0);
        var width = torch.where(unstable, upper - lower, torch.ones_like(upper));
        var chordSlope = upper.clamp_min(0) / width;
        var upperSlope = torch.where(active, torch.ones_like(upper), torch.where(unstable, chordSlope, torch.zeros_like(upper)));
        var upperIntercept = torch.where(unstable, -chordSlope * lower, torch.zeros_like(upper));
        Tensor lowerSlope;
        if (alpha is null)
        {
            var adaptive = (upper > -lower).to_type(upper.dtype);
            lowerSlope = torch.where(active, torch.ones_like(upper), torch.where(unstable, adaptive, torch.zeros_like(upper)));
        }
        else
        {
            var act = active.unsqueeze(1).to_type(alpha.dtype);
            var uns = unstable.unsqueeze(1).to_type(alpha.dtype);
            lowerSlope = act + uns * alpha.clamp(0, 1);
        }
        return new Relaxation(lowerSlope, torch.zeros_like(lower), upperSlope, upperIntercept);
    }
}
