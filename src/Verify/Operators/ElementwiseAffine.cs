using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// y = x·Scale + Shift elementwise, with constants that broadcast against the per-sample shape (Add, Sub, Mul, Div
/// and Neg by constants, inference BatchNormalization).
/// </summary>
public abstract class ElementwiseAffine : Operator
{
    /// <summary>Creates the map; a null scale means 1, a null shift 0.</summary>
    protected ElementwiseAffine(Tensor? scale, Tensor? shift)
    {
        Scale = scale;
        Shift = shift;
    }

    /// <summary>Multiplier (broadcast to the sample shape) or null.</summary>
    public Tensor? Scale { get; }

    /// <summary>Offset (broadcast to the sample shape) or null.</summary>
    public Tensor? Shift { get; }

    /// <inheritdoc />
    public override long ParameterCount => (Scale?.numel() ?? 0) + (Shift?.numel() ?? 0);

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var shape = inputShapes[0];
        foreach (var c in new[] { Scale, Shift })
        {
            if (c is null) continue;
            if (c.dim() > shape.Length)
                throw new VerifyException($"{OpType}: constant of shape [{string.Join(",", c.shape)}] has a higher rank than its input [{string.Join(",", shape)}]");
            shape = Broadcasting.Shape(shape, c.shape);
        }
        return shape;
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0]);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs)
    {
        var b = inputs[0];
        if (Scale is null) return new IntervalBounds(Apply(b.Lower), Apply(b.Upper));
        var c = Apply(b.Center);
        var r = b.Radius * Scale.abs();
        return new IntervalBounds(c - r, c + r);
    }

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var newA = Scale is null ? a : a * Scale;
        Tensor? bias = Shift is null ? null : Broadcasting.SumSample(a * Shift);
        return BackwardResult.Single(Broadcasting.SumTo(newA, context.InputShapes[0]), bias);
    }

    Tensor Apply(Tensor x)
    {
        var y = Scale is null ? x : x * Scale;
        return Shift is null ? y : y + Shift;
    }
}
