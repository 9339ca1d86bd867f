using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Sum of two values that both depend on the input (residual connections), with broadcasting.</summary>
public sealed class Add : Operator
{
    /// <inheritdoc />
    public override string OpType => "Add";

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes) => Broadcasting.Shape(inputShapes[0], inputShapes[1]);

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => inputs[0] + inputs[1];

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) =>
        new(inputs[0].Lower + inputs[1].Lower, inputs[0].Upper + inputs[1].Upper);

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context) =>
        new(new Tensor?[] { Broadcasting.SumTo(a, context.InputShapes[0]), Broadcasting.SumTo(a, context.InputShapes[1]) }, null);

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;
}
