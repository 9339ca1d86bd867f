using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// BatchNorm over the channel axis (axis 1) of [batch, C] or [batch, C, H, W]. Training passes normalise with the
/// batch statistics (recorded in the <see cref="RunState"/> as constants for the bound pass) and update the running
/// statistics; evaluation uses the running statistics.
/// </summary>
public sealed class BatchNormLayer(BatchNormParameters module, double epsilon = 1e-5, double momentum = 0.1) : Layer
{
    readonly double momentum = momentum;

    /// <summary>The parameters and running statistics.</summary>
    public BatchNormParameters Module { get; } = module;

    /// <summary>Added to the variance.</summary>
    public double Epsilon { get; } = epsilon;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, RunState state)
    {
        if (state.Training)
        {
            var dims = Enumerable.Range(0, (int)x.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();
            var mean = x.mean(dims);
            var variance = x.var(dims, unbiased: false);
            using (torch.no_grad())
            {
                double momentum = state.Momentum ?? this.momentum;
                long n = x.numel() / x.shape[1];
                Module.RunningMean.mul_(1 - momentum).add_(mean.detach() * momentum);
                Module.RunningVar.mul_(1 - momentum).add_(variance.detach() * (momentum * n / Math.Max(1, n - 1)));
            }
            state.Record(Index, mean, variance);
            return Apply(x, Scale(variance), Shift(mean, Scale(variance)));
        }
        var (scale, shift) = Affine(state);
        return Apply(x, scale, shift);
    }

    /// <summary>
    /// The per-channel affine map y = scale * x + shift this pass uses: the recorded batch statistics (constants)
    /// when there are some, else the running statistics.
    /// </summary>
    public (Tensor Scale, Tensor Shift) Affine(RunState state)
    {
        var (mean, variance) = state.Recorded(Index) ?? (Module.RunningMean, Module.RunningVar);
        var scale = Scale(variance);
        return (scale, Shift(mean, scale));
    }

    Tensor Scale(Tensor variance) => Module.Gamma / (variance + Epsilon).sqrt();

    Tensor Shift(Tensor mean, Tensor scale) => Module.Beta - mean * scale;

    static Tensor Apply(Tensor x, Tensor scale, Tensor shift) => x * View(scale, x) + View(shift, x);

    static Tensor View(Tensor v, Tensor like) =>
        v.reshape(new long[] { 1, v.shape[0] }.Concat(Enumerable.Repeat(1L, (int)like.dim() - 2)).ToArray());

    /// <inheritdoc />
    public override (Tensor Center, Tensor Radius) Interval(Tensor center, Tensor radius, RunState state)
    {
        var (scale, shift) = Affine(state);
        return (Apply(center, scale, shift), radius * View(scale.abs(), radius));
    }

    /// <inheritdoc />
    public override (Tensor A, Tensor? Bias) Backward(Tensor a, long[] inputShape, RunState state)
    {
        var (scale, shift) = Affine(state);
        var shape = new long[] { 1, 1, scale.shape[0] }.Concat(Enumerable.Repeat(1L, inputShape.Length - 1)).ToArray();
        var bias = (a * shift.reshape(shape)).flatten(2).sum(2);
        return (a * scale.reshape(shape), bias);
    }
}
