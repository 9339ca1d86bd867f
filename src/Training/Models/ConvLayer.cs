using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>A 2-D convolution (square kernel, equal stride and padding on both axes) on [batch, C, H, W].</summary>
public sealed class ConvLayer(Conv2d module, long kernel, long stride, long padding) : Layer
{
    /// <summary>The TorchSharp module (weight [out, in, k, k], bias [out]).</summary>
    public Conv2d Module { get; } = module;

    /// <summary>Kernel size.</summary>
    public long Kernel { get; } = kernel;

    /// <summary>Stride.</summary>
    public long Stride { get; } = stride;

    /// <summary>Zero padding on every side.</summary>
    public long Padding { get; } = padding;

    /// <summary>The trained parameter [out, in, k, k] (what the optimiser updates).</summary>
    public Tensor RawWeight => Module.weight!;

    /// <summary>How the effective weight derives from <see cref="RawWeight"/> (null: it is the raw weight).</summary>
    public IWeightReparameterization? Reparameterization { get; set; }

    /// <summary>The effective weight [out, in, k, k] of the forward pass, the bounds and the export.</summary>
    public Tensor Weight => Reparameterization?.Effective(RawWeight) ?? RawWeight;

    /// <summary>Bias [out].</summary>
    public Tensor Bias => Module.bias!;

    Tensor Conv(Tensor x, Tensor w, Tensor? b) =>
        nn.functional.conv2d(x, w, b, strides: new[] { Stride, Stride }, padding: new[] { Padding, Padding });

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, RunState state) => Conv(x, Weight, Bias);

    /// <inheritdoc />
    public override (Tensor Center, Tensor Radius) Interval(Tensor center, Tensor radius, RunState state)
    {
        var w = Weight;
        return (Conv(center, w, Bias), Conv(radius, w.abs(), null));
    }

    /// <inheritdoc />
    public override (Tensor A, Tensor? Bias) Backward(Tensor a, long[] inputShape, RunState state)
    {
        long batch = a.shape[0], specs = a.shape[1], c = a.shape[2], h = a.shape[3], w = a.shape[4];
        var bias = (a.sum(new long[] { 3, 4 }) * Bias).sum(2);
        long outH = (h - 1) * Stride - 2 * Padding + Kernel, outW = (w - 1) * Stride - 2 * Padding + Kernel;
        var back = nn.functional.conv_transpose2d(a.reshape(batch * specs, c, h, w), Weight, null,
            strides: new[] { Stride, Stride }, padding: new[] { Padding, Padding },
            output_padding: new[] { inputShape[1] - outH, inputShape[2] - outW });
        return (back.reshape(new[] { batch, specs }.Concat(inputShape).ToArray()), bias);
    }
}
