using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// Pairwise activations on the last per-sample axis (length 2k; pair j is (x_j, x_{j+k}), the "halves" layout):
/// y = x + w_j·relu(c_jᵀ(x_j, x_{j+k})) per pair, with w_j = −2c_j/|c_j|², i.e. x when c_jᵀx ≤ 0 and its reflection
/// in the line c_jᵀx = 0 otherwise. This is the Householder activation with v_j = −c_j/|c_j|; c_j = (−1, 1) is MaxMin
/// (GroupSort with groups of 2): max in slot j, min in slot j+k (<see cref="MaxMin"/>). IBP: monotone for MaxMin (exact),
/// otherwise interval arithmetic intersected with the hull of the feasible branches; CROWN: the ReLU relaxation of
/// relu(cᵀx) (exact when its sign is fixed).
/// </summary>
public sealed class Householder : Operator
{
    readonly Tensor c1, c2, w1, w2;

    Householder(double[] c1, double[] c2, bool maxMin, Tensor? t1 = null, Tensor? t2 = null, Tensor? t3 = null, Tensor? t4 = null)
    {
        if (c1.Length != c2.Length || c1.Length == 0) throw new VerifyException("Householder: one direction per pair is needed");
        for (int j = 0; j < c1.Length; j++)
            if (!(c1[j] * c1[j] + c2[j] * c2[j] > 0) || !double.IsFinite(c1[j]) || !double.IsFinite(c2[j]))
                throw new VerifyException($"Householder: the direction of pair {j} is zero or not finite");
        First = c1;
        Second = c2;
        IsMaxMin = maxMin;
        var w1d = c1.Select((c, j) => -2 * c / (c * c + c2[j] * c2[j])).ToArray();
        var w2d = c2.Select((c, j) => -2 * c / (c1[j] * c1[j] + c * c)).ToArray();
        this.c1 = t1 ?? Detached(tensor(c1, dtype: ScalarType.Float64));
        this.c2 = t2 ?? Detached(tensor(c2, dtype: ScalarType.Float64));
        w1 = t3 ?? Detached(tensor(w1d, dtype: ScalarType.Float64));
        w2 = t4 ?? Detached(tensor(w2d, dtype: ScalarType.Float64));
    }

    static Tensor Detached(Tensor t) => t.DetachFromDisposeScope();

    /// <summary>MaxMin on <paramref name="pairs"/> pairs: slot j gets max(x_j, x_{j+k}), slot j+k the min (or the reverse).</summary>
    public static Householder MaxMin(int pairs, bool maxFirst = true) =>
        new(Enumerable.Repeat(maxFirst ? -1.0 : 1.0, pairs).ToArray(), Enumerable.Repeat(maxFirst ? 1.0 : -1.0, pairs).ToArray(), true);

    /// <summary>
    /// The Householder activation with unit vectors v_j = (cos θ_j, sin θ_j): x when v_jᵀx ≥ 0, else (I − 2v_jv_jᵀ)x.
    /// θ = −π/4 is MaxMin.
    /// </summary>
    public static Householder Reflections(double[] angles) =>
        new(angles.Select(a => -Math.Cos(a)).ToArray(), angles.Select(a => -Math.Sin(a)).ToArray(), false);

    /// <summary>c_j's first component (on x_j), per pair.</summary>
    public double[] First { get; }

    /// <summary>c_j's second component (on x_{j+k}), per pair.</summary>
    public double[] Second { get; }

    /// <summary>True for MaxMin (c_j = (∓1, ±1)): monotone, so IBP is exact.</summary>
    public bool IsMaxMin { get; }

    /// <summary>Number of pairs k.</summary>
    public int Pairs => First.Length;

    /// <inheritdoc />
    public override string OpType => IsMaxMin ? "MaxMin" : "Householder";

    /// <inheritdoc />
    public override bool NeedsInputBounds => true;

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var s = inputShapes[0];
        if (s.Length == 0 || s[^1] != 2L * Pairs)
            throw new VerifyException($"{OpType}: the last axis must hold {2 * Pairs} values ({Pairs} pairs), got [{string.Join(",", s)}]");
        return s;
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var (p, q) = Halves(inputs[0]);
        if (IsMaxMin)
        {
            bool maxFirst = First[0] < 0;
            var hi = torch.maximum(p, q);
            var lo = torch.minimum(p, q);
            return maxFirst ? torch.cat(new[] { hi, lo }, -1) : torch.cat(new[] { lo, hi }, -1);
        }
        var r = torch.nn.functional.relu(C1(p) * p + C2(p) * q);
        return torch.cat(new[] { p + W1(p) * r, q + W2(p) * r }, -1);
    }

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs)
    {
        var b = inputs[0];
        if (IsMaxMin) return new IntervalBounds(Forward(new[] { b.Lower }), Forward(new[] { b.Upper }));
        var (lp, lq) = Halves(b.Lower);
        var (up, uq) = Halves(b.Upper);
        var (ls, us) = Affine(C1(lp), C2(lp), lp, lq, up, uq);
        var rl = torch.nn.functional.relu(ls);
        var ru = torch.nn.functional.relu(us);
        // interval arithmetic of x + w r, r in [relu(ls), relu(us)]
        IntervalBounds Arith(Tensor l, Tensor u, Tensor w) => new(l + torch.minimum(w * rl, w * ru), u + torch.maximum(w * rl, w * ru));
        var ia1 = Arith(lp, up, W1(lp));
        var ia2 = Arith(lq, uq, W2(lp));
        // hull of the branches y = x (possible when ls <= 0) and y = Hx (possible when us >= 0), H = I + w cᵀ
        var (h1l, h1u) = Affine(1 + W1(lp) * C1(lp), W1(lp) * C2(lp), lp, lq, up, uq);
        var (h2l, h2u) = Affine(W2(lp) * C1(lp), 1 + W2(lp) * C2(lp), lp, lq, up, uq);
        var idle = ls <= 0;
        var reflect = us >= 0;
        var inf = torch.full_like(lp, double.PositiveInfinity);
        Tensor Lo(Tensor x, Tensor h) => torch.minimum(torch.where(idle, x, inf), torch.where(reflect, h, inf));
        Tensor Hi(Tensor x, Tensor h) => torch.maximum(torch.where(idle, x, -inf), torch.where(reflect, h, -inf));
        var hull1 = new IntervalBounds(Lo(lp, h1l), Hi(up, h1u));
        var hull2 = new IntervalBounds(Lo(lq, h2l), Hi(uq, h2u));
        var y1 = ia1.Intersect(hull1);
        var y2 = ia2.Intersect(hull2);
        return new IntervalBounds(torch.cat(new[] { y1.Lower, y2.Lower }, -1), torch.cat(new[] { y1.Upper, y2.Upper }, -1));
    }

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var bounds = context.InputBounds?[0] ?? throw new InvalidOperationException($"{OpType}: backward needs input bounds");
        var (lp, lq) = Halves(bounds.Lower);
        var (up, uq) = Halves(bounds.Upper);
        var (ls, us) = Affine(C1(lp), C2(lp), lp, lq, up, uq);
        var r = new Relu().Relax(ls, us);
        var (ap, aq) = Halves(a);
        // A·y = A·x + g·relu(s), g = a_p w1 + a_q w2; g·relu(s) >= g+ (lower line) + g- (upper line)
        var g = ap * W1(ap) + aq * W2(ap);
        var gPos = g.clamp_min(0);
        var gNeg = g.clamp_max(0);
        var slope = gPos * r.LowerSlope.unsqueeze(1) + gNeg * r.UpperSlope.unsqueeze(1);
        var bias = (gPos * r.LowerIntercept.unsqueeze(1) + gNeg * r.UpperIntercept.unsqueeze(1)).flatten(2).sum(2);
        var newA = torch.cat(new[] { ap + slope * C1(ap), aq + slope * C2(ap) }, -1);
        return BackwardResult.Single(newA, bias);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) =>
        new Householder(First, Second, IsMaxMin, Detached(convert(c1)), Detached(convert(c2)), Detached(convert(w1)), Detached(convert(w2)));

    /// <summary>Bounds of αx_p + βx_q over the box (elementwise coefficients).</summary>
    static (Tensor Lower, Tensor Upper) Affine(Tensor alpha, Tensor beta, Tensor lp, Tensor lq, Tensor up, Tensor uq)
    {
        var lower = alpha.clamp_min(0) * lp + alpha.clamp_max(0) * up + beta.clamp_min(0) * lq + beta.clamp_max(0) * uq;
        var upper = alpha.clamp_min(0) * up + alpha.clamp_max(0) * lp + beta.clamp_min(0) * uq + beta.clamp_max(0) * lq;
        return (lower, upper);
    }

    (Tensor P, Tensor Q) Halves(Tensor x) => (x.narrow(-1, 0, Pairs), x.narrow(-1, Pairs, Pairs));

    Tensor C1(Tensor like) => c1.to(like.dtype, like.device);
    Tensor C2(Tensor like) => c2.to(like.dtype, like.device);
    Tensor W1(Tensor like) => w1.to(like.dtype, like.device);
    Tensor W2(Tensor like) => w2.to(like.dtype, like.device);
}
