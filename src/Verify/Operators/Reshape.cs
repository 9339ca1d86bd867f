using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>A change of per-sample shape without moving data (ONNX Reshape, Flatten, Squeeze, Unsqueeze).</summary>
public sealed class Reshape : Operator
{
    /// <summary>Creates the reshape to the given per-sample shape.</summary>
    public Reshape(long[] shape) => Shape = shape;

    /// <summary>Target per-sample shape.</summary>
    public long[] Shape { get; }

    /// <inheritdoc />
    public override string OpType => "Reshape";

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        long a = inputShapes[0].Aggregate(1L, (p, d) => p * d), b = Shape.Aggregate(1L, (p, d) => p * d);
        if (a != b) throw new VerifyException($"Reshape: cannot reshape [{string.Join(",", inputShapes[0])}] to [{string.Join(",", Shape)}]");
        return Shape;
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => To(inputs[0]);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) => new(To(inputs[0].Lower), To(inputs[0].Upper));

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context) =>
        BackwardResult.Single(a.reshape(new[] { a.shape[0], a.shape[1] }.Concat(context.InputShapes[0]).ToArray()));

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;

    Tensor To(Tensor x) => x.reshape(Graph.ComputationGraph.Batched(x.shape[0], Shape));
}
