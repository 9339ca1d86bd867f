using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Matrix product with a constant on the left: y = W·x over the last two per-sample axes (ONNX MatMul, weight first).</summary>
public sealed class LeftLinear : Operator
{
    /// <summary>Creates the map from its weight [m, k] and an optional bias broadcast to the output.</summary>
    public LeftLinear(Tensor weight, Tensor? bias)
    {
        if (weight.dim() != 2) throw new VerifyException($"MatMul weight must be 2-D, got [{string.Join(",", weight.shape)}]");
        Weight = weight;
        Bias = bias;
    }

    /// <summary>Weight [m, k].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override string OpType => "MatMul";

    /// <inheritdoc />
    public override long ParameterCount => Weight.numel() + (Bias?.numel() ?? 0);

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var s = inputShapes[0];
        if (s.Length < 2 || s[^2] != Weight.shape[1])
            throw new VerifyException($"MatMul: a [{string.Join(",", Weight.shape)}] weight cannot multiply a [{string.Join(",", s)}] value");
        var o = (long[])s.Clone();
        o[^2] = Weight.shape[0];
        return Bias is null ? o : Broadcasting.Shape(o, Bias.shape);
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0], Weight, Bias);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) =>
        WeightedInterval.Of(inputs[0], Apply, Weight, Bias);

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        Tensor? bias = Bias is null ? null : Broadcasting.SumSample(a * Bias);
        return BackwardResult.Single(Weight.t().matmul(a), bias);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => new LeftLinear(convert(Weight), Bias is null ? null : convert(Bias));

    static Tensor Apply(Tensor x, Tensor w, Tensor? b)
    {
        var y = w.matmul(x);
        return b is null ? y : y + b;
    }
}
