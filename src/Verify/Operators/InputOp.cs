using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>The graph's input placeholder (node 0).</summary>
public sealed class InputOp : Operator
{
    /// <summary>Creates the placeholder for an input of the given per-sample shape.</summary>
    public InputOp(long[] shape) => Shape = shape;

    /// <summary>Per-sample input shape.</summary>
    public long[] Shape { get; }

    /// <inheritdoc />
    public override string OpType => "Input";

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes) => Shape;

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => inputs[0];

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) => inputs[0];

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context) => BackwardResult.Single(a);

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;
}
