using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>A fully connected layer y = W x + b on [batch, features].</summary>
public sealed class LinearLayer(Linear module) : Layer
{
    /// <summary>The TorchSharp module (weight [out, in], bias [out]).</summary>
    public Linear Module { get; } = module;

    /// <summary>The trained parameter [out, in] (what the optimiser updates).</summary>
    public Tensor RawWeight => Module.weight!;

    /// <summary>How the effective weight derives from <see cref="RawWeight"/> (null: it is the raw weight).</summary>
    public IWeightReparameterization? Reparameterization { get; set; }

    /// <summary>The effective weight [out, in] of the forward pass, the bounds and the export.</summary>
    public Tensor Weight => Reparameterization?.Effective(RawWeight) ?? RawWeight;

    /// <summary>Bias [out].</summary>
    public Tensor Bias => Module.bias!;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, RunState state) => nn.functional.linear(x, Weight, Bias);

    /// <inheritdoc />
    public override (Tensor Center, Tensor Radius) Interval(Tensor center, Tensor radius, RunState state)
    {
        var w = Weight;
        return (nn.functional.linear(center, w, Bias), nn.functional.linear(radius, w.abs()));
    }

    /// <inheritdoc />
    public override (Tensor A, Tensor? Bias) Backward(Tensor a, long[] inputShape, RunState state) =>
        (a.matmul(Weight), a.matmul(Bias));
}
