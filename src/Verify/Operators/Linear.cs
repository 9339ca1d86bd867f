using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Affine map over the last dimension: y = x·Wᵀ + b, with W shaped [out, in] (Gemm, MatMul with a constant right operand).</summary>
public sealed class Linear : Operator
{
    /// <summary>Creates the map from its weight [out, in] and optional bias [out].</summary>
    public Linear(Tensor weight, Tensor? bias)
    {
        if (weight.dim() != 2) throw new VerifyException($"Linear weight must be 2-D, got [{string.Join(",", weight.shape)}]");
        Weight = weight;
        Bias = bias;
    }

    /// <summary>Weight [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [out] or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override string OpType => "Linear";

    /// <inheritdoc />
    public override long ParameterCount => Weight.numel() + (Bias?.numel() ?? 0);

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var s = inputShapes[0];
        if (s.Length == 0 || s[^1] != Weight.shape[1])
            throw new VerifyException($"Linear expects last dimension {Weight.shape[1]}, got [{string.Join(",", s)}]");
        var o = (long[])s.Clone();
        o[^1] = Weight.shape[0];
        return o;
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => nn.functional.linear(inputs[0], Weight, Bias);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) =>
        WeightedInterval.Of(inputs[0], (x, w, b) => nn.functional.linear(x, w, b), Weight, Bias);

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var newA = a.matmul(Weight);
        Tensor? bias = Bias is null ? null : (a * Bias).flatten(2).sum(2);
        return BackwardResult.Single(newA, bias);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => new Linear(convert(Weight), Bias is null ? null : convert(Bias));
}
