using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// Base of S-shaped activations (sigmoid, tanh): increasing, convex for x &lt; 0, concave for x &gt; 0, odd-symmetric
/// about its centre (f(-x) = 2·f(0) - f(x)), with |f| &lt;= 1 and f' largest at 0.
/// Relaxation on [l, u] (CROWN): where f is convex the upper line is the chord and the lower a tangent (at the
/// midpoint, or at l + alpha·(u - l)); where it is concave, the mirror image. Across 0 the upper line is the tangent
/// through (l, f(l)) when its touching point is at most u (else the chord) and the lower line mirrors it (with alpha,
/// it blends towards the tangent at l). Every line is shifted outwards by a few ulps so that it stays sound in
/// floating point.
/// </summary>
public abstract class SShapedActivation : ActivationOperator
{
    /// <summary>Outward shift of every line, in units of the dtype's epsilon times the magnitudes involved.</summary>
    const double MarginUlps = 8;

    /// <summary>Relative outward rounding of the slope ranges.</summary>
    const double SlopeSlack = 1e-12;

    /// <summary>f(0), the centre of symmetry.</summary>
    protected abstract double CentreValue { get; }

    /// <inheritdoc />
    public override double MinSlope => 0;

    /// <inheritdoc />
    /// <remarks>Largest on the point of the interval nearest 0, smallest at an end (f' is unimodal about 0).</remarks>
    public override Graph.IntervalBounds SlopeRange(Graph.IntervalBounds input)
    {
        var (l, u) = (input.Lower, input.Upper);
        var nearest = torch.minimum(torch.maximum(torch.zeros_like(l), l), u);
        var low = torch.minimum(Derivative(l), Derivative(u));
        return new Graph.IntervalBounds((low * (1 - SlopeSlack)).clamp_min(0), Derivative(nearest) * (1 + SlopeSlack));
    }

    /// <inheritdoc />
    /// <remarks>Reproduces the default relaxation: the midpoint tangent (0.5), and across 0 the default lower line (1).</remarks>
    public override Tensor InitialAlpha(Tensor lower, Tensor upper) =>
        torch.where((lower < 0).logical_and(upper > 0), torch.ones_like(lower), torch.full_like(lower, 0.5));

    /// <inheritdoc />
    public override Relaxation Relax(Tensor lower, Tensor upper, Tensor? alpha = null)
    {
        var touches = touchCache.Get(this, lower, upper);
        var up = UpperLine(lower, upper, null, touches.Upper);
        // f(x) = 2·f(0) - f(-x): a lower line of f on [l, u] is the mirror of an upper line of f on [-u, -l].
        var mirrored = UpperLine(-upper, -lower, alpha is null ? null : 1 - alpha.clamp(0, 1), touches.Mirrored);
        return new Relaxation(mirrored.Slope, 2 * CentreValue - mirrored.Intercept, up.Slope, up.Intercept);
    }

    /// <summary>The touch points of the last bounds relaxed (alpha-CROWN relaxes the same bounds at every step).</summary>
    readonly SShapedTouchCache touchCache = new();

    /// <summary>
    /// A sound upper line on [l, u] ([batch, ...]); <paramref name="beta"/> ([batch, specs, ...], in [0, 1]) moves it
    /// from the default choice towards the tangent at u, and the result is then shaped like beta. <paramref name="touch"/>
    /// is <see cref="SShapedTangentSearch.TouchPointBelow"/> of (l, u).
    /// </summary>
    Line UpperLine(Tensor l, Tensor u, Tensor? beta, (Tensor Point, Tensor Reachable) touch)
    {
        var concave = l >= 0;
        var crossing = (l < 0).logical_and(u > 0);
        var chord = Chord(l, u);
        var (touchBelow, reachable) = touch;
        var pivotSlope = Derivative(touchBelow);
        var pivot = new Line(pivotSlope, Apply(l) - pivotSlope * l);
        Line concaveLine, crossingLine;
        if (beta is null)
        {
            concaveLine = Tangent((l + u) / 2);
            crossingLine = pivot;
        }
        else
        {
            (l, u, concave, crossing, reachable) = (l.unsqueeze(1), u.unsqueeze(1), concave.unsqueeze(1), crossing.unsqueeze(1), reachable.unsqueeze(1));
            chord = chord.WithSpecDim();
            pivot = pivot.WithSpecDim();
            concaveLine = Tangent(l + beta * (u - l));
            var atUpper = Tangent(u);
            crossingLine = new Line((1 - beta) * pivot.Slope + beta * atUpper.Slope, (1 - beta) * pivot.Intercept + beta * atUpper.Intercept);
        }
        var useTangent = crossing.logical_and(reachable);
        var slope = torch.where(concave, concaveLine.Slope, torch.where(useTangent, crossingLine.Slope, chord.Slope));
        var intercept = torch.where(concave, concaveLine.Intercept, torch.where(useTangent, crossingLine.Intercept, chord.Intercept));
        var margin = MarginUlps * torch.finfo(l.dtype).eps * (1 + slope.abs() * (l.abs() + u.abs()));
        return new Line(slope, intercept + margin);
    }

    /// <summary>The chord through (l, f(l)) and (u, f(u)); the tangent at l when the interval has zero width.</summary>
    Line Chord(Tensor l, Tensor u)
    {
        var width = u - l;
        var positive = width > 0;
        var safeWidth = torch.where(positive, width, torch.ones_like(width));
        var fl = Apply(l);
        // The true chord slope lies in [0, f'(0)]; clamping only removes rounding error of the difference quotient.
        var slope = torch.where(positive, (Apply(u) - fl) / safeWidth, Derivative(l)).clamp(0, MaxSlope);
        return new Line(slope, fl - slope * l);
    }

    /// <summary>The tangent of f at d.</summary>
    Line Tangent(Tensor d)
    {
        var slope = Derivative(d);
        return new Line(slope, Apply(d) - slope * d);
    }

    /// <summary>A line slope·x + intercept (tensors).</summary>
    readonly record struct Line(Tensor Slope, Tensor Intercept)
    {
        /// <summary>The line with a specification dimension inserted after the batch dimension.</summary>
        public Line WithSpecDim() => new(Slope.unsqueeze(1), Intercept.unsqueeze(1));
    }
}
