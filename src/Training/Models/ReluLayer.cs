using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>ReLU. Its CROWN relaxation lives in <see cref="Bounds.CrownIbp"/> (it needs the input bounds).</summary>
public sealed class ReluLayer : Layer
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor x, RunState state) => nn.functional.relu(x);

    /// <inheritdoc />
    public override (Tensor Center, Tensor Radius) Interval(Tensor center, Tensor radius, RunState state)
    {
        var l = nn.functional.relu(center - radius);
        var u = nn.functional.relu(center + radius);
        return ((u + l) / 2, (u - l) / 2);
    }
}
