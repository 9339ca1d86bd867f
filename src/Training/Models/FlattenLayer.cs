using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>Flattens [batch, ...] to [batch, features] in C order.</summary>
public sealed class FlattenLayer : Layer
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor x, RunState state) => x.flatten(1);

    /// <inheritdoc />
    public override (Tensor Center, Tensor Radius) Interval(Tensor center, Tensor radius, RunState state) =>
        (center.flatten(1), radius.flatten(1));

    /// <inheritdoc />
    public override (Tensor A, Tensor? Bias) Backward(Tensor a, long[] inputShape, RunState state) =>
        (a.reshape(new[] { a.shape[0], a.shape[1] }.Concat(inputShape).ToArray()), null);
}
