using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>A fully connected layer y = W x + b on [batch, features].</summary>
public sealed class LinearLayer(Linear module) : Layer
{
    /// <summary>The TorchSharp module (weight [out, in], bias [out]).</summary>
    public Linear Module { get; } = module;

    /// <summary>Weight [out, in].</summary>
    public Tensor Weight => Module.weight!;

    /// <summary>Bias [out].</summary>
    public Tensor Bias => Module.bias!;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, RunState state) => nn.functional.linear(x, Weight, Bias);

    /// <inheritdoc />
    public override (Tensor Center, Tensor Radius) Interval(Tensor center, Tensor radius, RunState state) =>
        (nn.functional.linear(center, Weight, Bias), nn.functional.linear(radius, Weight.abs()));

    /// <inheritdoc />
    public override (Tensor A, Tensor? Bias) Backward(Tensor a, long[] inputShape, RunState state) =>
        (a.matmul(Weight), a.matmul(Bias));
}
