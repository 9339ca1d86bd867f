using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// One node's computation with its three rules: the concrete forward value, the interval (IBP) rule and the
/// backward linear-relaxation (CROWN) rule. Tensors are batched: dimension 0 is the batch, the rest is the node's
/// per-sample shape. Linear coefficients passed to <see cref="Backward"/> are shaped [batch, specs, ...output shape].
/// </summary>
public abstract class Operator
{
    /// <summary>The ONNX operator type this rule set implements (for reports).</summary>
    public abstract string OpType { get; }

    /// <summary>True for operators whose backward rule needs bounds of their inputs (nonlinear ones).</summary>
    public virtual bool NeedsInputBounds => false;

    /// <summary>Per-sample output shape for the given per-sample input shapes; throws <see cref="VerifyException"/> on mismatch.</summary>
    public abstract long[] InferShape(IReadOnlyList<long[]> inputShapes);

    /// <summary>Concrete batched value.</summary>
    public abstract Tensor Forward(IReadOnlyList<Tensor> inputs);

    /// <summary>Interval bound propagation: sound elementwise bounds of the output given bounds of the inputs.</summary>
    public abstract IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs);

    /// <summary>
    /// Backward linear bound propagation for a lower bound of A·output: returns coefficients on each input
    /// (null where an input receives none) and a bias [batch, specs] (null for zero), such that
    /// A·output &gt;= sum_i A_i·input_i + bias for every input within <see cref="BackwardContext.InputBounds"/>.
    /// </summary>
    public abstract BackwardResult Backward(Tensor a, BackwardContext context);

    /// <summary>
    /// For a single-input nonlinear operator: which elements of its input (a bool tensor shaped like the bounds) have
    /// an inexact relaxation on their bounds, so that tighter bounds there can pay. Null means all of them.
    /// </summary>
    public virtual Tensor? Inexact(IntervalBounds input) => null;

    /// <summary>
    /// Starting values, in [0, 1], of the optimisable lower-relaxation parameters (alpha-CROWN) on the input bounds
    /// <paramref name="input"/> of per-sample shape <paramref name="inputShape"/>: [batch, ...parameter shape], or null
    /// when the relaxation has none. <see cref="Backward"/> receives them, with a specification dimension after the
    /// batch, as <see cref="BackwardContext.Alpha"/>.
    /// </summary>
    public virtual Tensor? InitialAlpha(IntervalBounds input, long[] inputShape) => null;

    /// <summary>A copy whose constant tensors are converted by <paramref name="convert"/> (device, dtype).</summary>
    public abstract Operator Map(Func<Tensor, Tensor> convert);

    /// <summary>Number of constant parameters (weights, biases) this operator holds.</summary>
    public virtual long ParameterCount => 0;
}

/// <summary>What a backward rule may use besides the coefficients.</summary>
/// <param name="InputShapes">Per-sample shape of each input.</param>
/// <param name="InputBounds">Bounds of each input (present when <see cref="Operator.NeedsInputBounds"/>).</param>
/// <param name="Alpha">Optional optimisable lower-relaxation parameters of this node, [batch, specs, ...] as <see cref="Operator.InitialAlpha"/> gives them (broadcastable).</param>
public sealed record BackwardContext(IReadOnlyList<long[]> InputShapes, IReadOnlyList<IntervalBounds>? InputBounds = null, Tensor? Alpha = null);

/// <summary>Coefficients on each input and the accumulated bias of one backward step.</summary>
public sealed record BackwardResult(Tensor?[] InputA, Tensor? Bias)
{
    /// <summary>A single-input result.</summary>
    public static BackwardResult Single(Tensor a, Tensor? bias = null) => new(new Tensor?[] { a }, bias);
}
