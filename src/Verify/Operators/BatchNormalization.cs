using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Inference-mode batch normalisation over the channel dimension (ONNX axis 1): an elementwise affine map.</summary>
public sealed class BatchNormalization : ElementwiseAffine
{
    BatchNormalization(Tensor scale, Tensor shift) : base(scale, shift) { }

    /// <summary>
    /// Creates y = (x - mean)/sqrt(var + eps)·gamma + beta for an input of per-sample rank <paramref name="rank"/>
    /// (the ONNX rank: channels at index 1).
    /// </summary>
    public BatchNormalization(Tensor gamma, Tensor beta, Tensor mean, Tensor variance, double epsilon, int rank)
        : this(ScaleOf(gamma, variance, epsilon, rank), ShiftOf(gamma, beta, mean, variance, epsilon, rank)) { }

    /// <inheritdoc />
    public override string OpType => "BatchNormalization";

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => new BatchNormalization(convert(Scale!), convert(Shift!));

    static long[] ChannelShape(long channels, int rank) =>
        new[] { channels }.Concat(Enumerable.Repeat(1L, Math.Max(0, rank - 2))).ToArray();

    static Tensor ScaleOf(Tensor gamma, Tensor variance, double eps, int rank) =>
        (gamma.to_type(ScalarType.Float64) / (variance.to_type(ScalarType.Float64) + eps).sqrt())
            .reshape(ChannelShape(gamma.shape[0], rank)).to_type(gamma.dtype);

    static Tensor ShiftOf(Tensor gamma, Tensor beta, Tensor mean, Tensor variance, double eps, int rank)
    {
        var s = gamma.to_type(ScalarType.Float64) / (variance.to_type(ScalarType.Float64) + eps).sqrt();
        return (beta.to_type(ScalarType.Float64) - mean.to_type(ScalarType.Float64) * s)
            .reshape(ChannelShape(gamma.shape[0], rank)).to_type(gamma.dtype);
    }
}
