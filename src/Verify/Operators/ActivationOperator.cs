using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Two lines bounding an elementwise function on [l, u]: lower(x) = LowerSlope·x + LowerIntercept &lt;= f(x) &lt;= UpperSlope·x + UpperIntercept.</summary>
public sealed record Relaxation(Tensor LowerSlope, Tensor LowerIntercept, Tensor UpperSlope, Tensor UpperIntercept);

/// <summary>
/// Base of elementwise, monotonically non-decreasing activations. A subclass gives the function, its derivative and a
/// sound linear relaxation on [l, u]; the interval and backward rules follow from them. What the rest of the engine
/// needs of an activation (Lipschitz methods, LipSDP, MIP encodings, branch and bound) is asked here, never by type.
/// </summary>
public abstract class ActivationOperator : Operator
{
    /// <inheritdoc />
    public override bool NeedsInputBounds => true;

    /// <summary>The activation function, elementwise.</summary>
    public abstract Tensor Apply(Tensor x);

    /// <summary>The derivative f'(x), elementwise (at a kink, the derivative on the left side).</summary>
    public abstract Tensor Derivative(Tensor x);

    /// <summary>
    /// Sound bounds of the (Clarke) derivative over each pre-activation interval [lower, upper]: every slope f'(x),
    /// x in the interval, lies within them.
    /// </summary>
    public abstract IntervalBounds SlopeRange(IntervalBounds input);

    /// <summary>The smallest slope anywhere: f is slope-restricted in [<see cref="MinSlope"/>, <see cref="MaxSlope"/>].</summary>
    public abstract double MinSlope { get; }

    /// <summary>The largest slope anywhere (the activation's global Lipschitz constant).</summary>
    public abstract double MaxSlope { get; }

    /// <summary>
    /// The two-piece linear form (x for x &gt;= 0, <see cref="Hinge.NegativeSlope"/>·x below) when the activation has
    /// one, which exact MIP encodings and neuron splitting need; null for smooth activations.
    /// </summary>
    public virtual Hinge? PiecewiseLinear => null;

    /// <summary>
    /// A derivative that is differentiable in x, for gradient ascent on gradient norms; <paramref name="temperature"/>
    /// scales the smoothing relative to the mean |x|. Smooth activations return <see cref="Derivative"/>.
    /// </summary>
    public virtual Tensor SmoothedDerivative(Tensor x, double temperature) => Derivative(x);

    /// <summary>
    /// Sound relaxation lines on [lower, upper] (tensors shaped [batch, ...shape]). When <paramref name="alpha"/> is
    /// given (shape [batch, specs, ...shape]) it selects the lower line among the sound ones, and the lower line is
    /// then shaped like alpha.
    /// </summary>
    public abstract Relaxation Relax(Tensor lower, Tensor upper, Tensor? alpha = null);

    /// <summary>The starting alpha (in [0,1]) of alpha-CROWN on [lower, upper]: by default the middle of its range.</summary>
    public virtual Tensor InitialAlpha(Tensor lower, Tensor upper) => torch.full_like(lower, 0.5);

    /// <inheritdoc />
    public override Tensor? InitialAlpha(IntervalBounds input, long[] inputShape) => InitialAlpha(input.Lower, input.Upper);

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes) => inputShapes[0];

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0]);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) =>
        new(Apply(inputs[0].Lower), Apply(inputs[0].Upper));

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var bounds = context.InputBounds?[0] ?? throw new InvalidOperationException($"{OpType}: backward needs input bounds");
        var r = Relax(bounds.Lower, bounds.Upper, context.Alpha);
        int sampleRank = (int)bounds.Lower.dim() - 1;
        Tensor WithSpecDim(Tensor t) => t.dim() == sampleRank + 1 ? t.unsqueeze(1) : t;
        var aPos = a.clamp_min(0);
        var aNeg = a.clamp_max(0);
        var newA = aPos * WithSpecDim(r.LowerSlope) + aNeg * WithSpecDim(r.UpperSlope);
        var bias = (aPos * WithSpecDim(r.LowerIntercept) + aNeg * WithSpecDim(r.UpperIntercept)).flatten(2).sum(2);
        return BackwardResult.Single(newA, bias);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;
}
