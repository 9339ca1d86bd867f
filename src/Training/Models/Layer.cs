using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// One layer of a sequential network with its forward map, its interval rule (centre/radius form) and its backward
/// (CROWN) rule. Shapes are per sample with a leading batch dimension.
/// </summary>
public abstract class Layer
{
    /// <summary>Position in the network.</summary>
    public int Index { get; internal set; }

    /// <summary>The forward map.</summary>
    public abstract Tensor Forward(Tensor x, RunState state);

    /// <summary>Centre and radius of the output box given the input box's.</summary>
    public abstract (Tensor Center, Tensor Radius) Interval(Tensor center, Tensor radius, RunState state);

    /// <summary>
    /// Pulls linear coefficients <paramref name="a"/> [batch, specs, ...output shape] back to the input
    /// [batch, specs, ...input shape] for an affine layer, returning the constant term [batch, specs].
    /// </summary>
    public virtual (Tensor A, Tensor? Bias) Backward(Tensor a, long[] inputShape, RunState state) =>
        throw new InvalidOperationException($"{GetType().Name} is not affine");
}
