using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// 2-D max pooling (ONNX MaxPool without dilation or ceil mode) on per-sample shapes [n, C, H, W]; padding never wins.
/// Relaxation of each window (CROWN): with k the element of largest lower bound, y &gt;= x_k from below (with alpha,
/// y &gt;= Σ_j λ_j x_j for weights λ on the simplex, optimised; max ≥ every convex combination of its arguments) and,
/// from above, the chord of max(x_p, c) over p's interval (p the element of largest upper bound, c the others' largest
/// upper bound), or y = x_k on both sides when l_k &gt;= u_j for every other j.
/// </summary>
public sealed class MaxPool : Operator
{
    /// <summary>Creates the pooling; <paramref name="pads"/> is ONNX's [top, left, bottom, right], each smaller than the window.</summary>
    public MaxPool(long[] kernel, long[] strides, long[] pads)
    {
        if (kernel.Length != 2 || strides.Length != 2 || pads.Length != 4)
            throw new VerifyException("MaxPool: kernel, strides and pads must describe two spatial axes");
        if (kernel.Any(k => k <= 0) || strides.Any(s => s <= 0) || pads.Any(p => p < 0))
            throw new VerifyException("MaxPool: kernel and strides must be positive and pads non-negative");
        for (int i = 0; i < 4; i++)
            if (pads[i] >= kernel[i % 2])
                throw new VerifyException($"MaxPool: pad {pads[i]} is not smaller than the window {kernel[i % 2]} (a window could hold only padding)");
        Kernel = kernel;
        Strides = strides;
        Pads = pads;
    }

    /// <summary>Window (kh, kw).</summary>
    public long[] Kernel { get; }

    /// <summary>Strides (h, w).</summary>
    public long[] Strides { get; }

    /// <summary>[top, left, bottom, right].</summary>
    public long[] Pads { get; }

    /// <inheritdoc />
    public override string OpType => "MaxPool";

    /// <inheritdoc />
    public override bool NeedsInputBounds => true;

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var s = inputShapes[0];
        if (s.Length != 4) throw new VerifyException($"MaxPool expects a 4-D input [N,C,H,W], got [{string.Join(",", s)}]");
        long h = OutSize(s[2], 0), w = OutSize(s[3], 1);
        if (h <= 0 || w <= 0) throw new VerifyException($"MaxPool: the window does not fit the [{s[2]},{s[3]}] input");
        return new[] { s[0], s[1], h, w };
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0]);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) => new(Apply(inputs[0].Lower), Apply(inputs[0].Upper));

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var bounds = context.InputBounds?[0] ?? throw new InvalidOperationException("MaxPool: backward needs input bounds");
        var inShape = context.InputShapes[0];
        long batch = a.shape[0], specs = a.shape[1], n = inShape[0], c = inShape[1];
        long hp = inShape[2] + Pads[0] + Pads[2], wp = inShape[3] + Pads[1] + Pads[3];
        var w = WindowBoundsOf(bounds, inShape, a.device);
        long outputs = w.Index.shape[0], window = w.Index.shape[1];
        var exact = w.Exact.unsqueeze(1);
        var a5 = a.reshape(batch, specs, n, c, outputs);
        var aPos = a5.clamp_min(0);
        var aNeg = a5.clamp_max(0);
        // Upper line of an inexact window: with p the element of largest upper bound and c the others' largest upper
        // bound, y <= max(x_p, c) <= the chord of that convex function over [l_p, u_p], c + s·(x_p − l_p) with
        // s = (u_p − c)/(u_p − l_p), shifted outwards by a few ulps; never above the constant max u.
        var (slope, intercept) = w.UpperChord();
        var alpha = context.Alpha;
        // Without alpha the lower line is x_k; with it, a convex combination of the window (exact windows keep x_k).
        var onK = alpha is null ? aPos + torch.where(exact, aNeg, torch.zeros_like(aNeg)) : torch.where(exact, aPos + aNeg, torch.zeros_like(aNeg));
        var upperCoefficient = torch.where(exact, torch.zeros_like(aNeg), aNeg * slope.unsqueeze(1));
        var bias = torch.where(exact, torch.zeros_like(aNeg), aNeg * intercept.unsqueeze(1)).flatten(2).sum(2);
        var index = w.Index.expand(batch, n, c, outputs, window);
        Tensor Target(Tensor which) => index.gather(-1, which).squeeze(-1).unsqueeze(1).expand(batch, specs, n, c, outputs);
        // Overlapping windows may pick the same element: their coefficients add up.
        var padded = torch.zeros(new[] { batch, specs, n, c, hp * wp }, dtype: a.dtype, device: a.device)
            .scatter_add(-1, Target(w.K), onK)
            .scatter_add(-1, Target(w.P), upperCoefficient);
        if (alpha is not null)
        {
            var weights = LowerWeights(alpha, w);
            var spread = (torch.where(exact, torch.zeros_like(aPos), aPos).unsqueeze(-1) * weights).reshape(batch, specs, n, c, outputs * window);
            var every = w.Index.reshape(1, 1, 1, 1, outputs * window).expand(batch, specs, n, c, outputs * window);
            padded = padded.scatter_add(-1, every, spread);
        }
        padded = padded.reshape(batch, specs, n, c, hp, wp);
        var newA = padded.narrow(4, Pads[0], inShape[2]).narrow(5, Pads[1], inShape[3]);
        return BackwardResult.Single(newA, bias);
    }

    /// <summary>
    /// One weight per window element ([batch, n, C, Ho·Wo, kh·kw]): 1 at k (the element of largest lower bound), 0
    /// elsewhere, i.e. the plain CROWN lower line y &gt;= x_k.
    /// </summary>
    public override Tensor? InitialAlpha(IntervalBounds input, long[] inputShape)
    {
        var w = WindowBoundsOf(input, inputShape, input.Lower.device);
        return torch.zeros_like(w.Lw).scatter_(-1, w.K, torch.ones_like(w.Lw));
    }

    /// <summary>
    /// The lower line's weights λ [batch, specs, n, C, Ho·Wo, kh·kw] from alpha: alpha (clamped at 0) over padding-free
    /// elements, normalised to sum 1 per window; a window whose alphas are all 0 takes x_k.
    /// </summary>
    static Tensor LowerWeights(Tensor alpha, WindowBounds w)
    {
        var real = (w.Uw > double.NegativeInfinity).unsqueeze(1);
        var positive = torch.where(real, alpha.clamp_min(0), torch.zeros_like(alpha));
        var sum = positive.sum(-1, keepdim: true);
        var oneHot = torch.zeros_like(w.Lw).scatter_(-1, w.K, torch.ones_like(w.Lw)).unsqueeze(1);
        return torch.where(sum > 1e-12, positive / sum.clamp_min(1e-12), oneHot);
    }

    /// <summary>
    /// Where to split the input intervals so that windows' relaxations tighten (branch and bound): per input element
    /// ([batch, ...input sample shape] flattened to [batch, numel]) a score, −1 where splitting it helps no window, and
    /// a split point inside its interval. A window that is not exact is split at the element of largest upper bound:
    /// if that is not k (the element of largest lower bound) at l_k, below which it can never be the maximum; if it is k,
    /// at the largest other upper bound, above which the window is exact. Its score is <paramref name="weight"/> (the
    /// summed magnitude of the bound's coefficients on the window's output, [batch, ...output sample shape]) times the
    /// relaxation's width u_max − l_k, plus a small multiple of the width; an element chosen by several windows takes the
    /// points' average weighted by their scores.
    /// </summary>
    public (Tensor Score, Tensor Point) SplitChoice(IntervalBounds input, long[] inShape, Tensor weight)
    {
        long batch = input.Lower.shape[0], n = inShape[0], c = inShape[1], h = inShape[2], wd = inShape[3];
        var w = WindowBoundsOf(input, inShape, input.Lower.device);
        long outputs = w.Index.shape[0], window = w.Index.shape[1];
        var index = w.Index.expand(batch, n, c, outputs, window);
        var (j, lj) = (w.P, w.LowerP);
        var isK = j.eq(w.K).squeeze(-1);
        var point = torch.where(isK, w.UpperOthers, w.LowerK);
        var gap = (w.UpperMax - w.LowerK).clamp_min(0);
        // Only windows that are not exact, and whose element's interval holds the point strictly inside, count.
        var usable = w.Exact.logical_not().logical_and(point > lj).logical_and(point < w.UpperMax).logical_and(gap.isfinite());
        var zero = torch.zeros_like(gap);
        var score = torch.where(usable, weight.reshape(batch, n, c, outputs) * gap + 1e-4 * gap, zero);
        var safePoint = torch.where(usable, point, zero);
        // Padded-plane positions of the chosen elements, as positions in the unpadded [H, W] plane.
        var at = index.gather(-1, j).squeeze(-1);
        long wp = wd + Pads[1] + Pads[3];
        var flat = ((at.floor_divide(wp) - Pads[0]) * wd + at.remainder(wp) - Pads[1]).clamp(0, h * wd - 1);
        var plane = torch.zeros(new[] { batch, n, c, h * wd }, dtype: gap.dtype, device: gap.device);
        var elementScore = plane.scatter_add(-1, flat, score);
        var chosen = plane.scatter_add(-1, flat, usable.to_type(gap.dtype));
        // Several windows choosing one element: their points' average weighted by score (each is inside its interval).
        var elementPoint = plane.scatter_add(-1, flat, score * safePoint) / elementScore.clamp_min(1e-30);
        var lo = input.Lower.reshape(batch, n, c, h * wd);
        var hi = input.Upper.reshape(batch, n, c, h * wd);
        var valid = (chosen > 0).logical_and(elementPoint > lo).logical_and(elementPoint < hi);
        return (torch.where(valid, elementScore, torch.full_like(elementScore, -1)).reshape(batch, -1),
            torch.where(valid, elementPoint, (lo + hi) / 2).reshape(batch, -1));
    }

    /// <summary>
    /// Every window's bounds: element positions [Ho·Wo, kh·kw] in the padded plane, lower and upper bounds
    /// [batch, n, C, Ho·Wo, kh·kw] (padding −inf; lower bounds kept above −inf so that k is never padding), k (the element
    /// of largest lower bound, keepdim), l_k, the largest upper bound, the largest upper bound of the others, and
    /// whether the window is exact (l_k &gt;= every other upper bound).
    /// </summary>
    WindowBounds WindowBoundsOf(IntervalBounds bounds, long[] inShape, Device device)
    {
        long wp = inShape[3] + Pads[1] + Pads[3];
        long ho = OutSize(inShape[2], 0), wo = OutSize(inShape[3], 1), window = Kernel[0] * Kernel[1];
        var index = WindowIndex(ho, wo, wp, device);
        var lw = Windows(bounds.Lower.clamp_min(torch.finfo(bounds.Lower.dtype).min), index, ho * wo);
        var uw = Windows(bounds.Upper, index, ho * wo);
        var k = lw.argmax(-1, keepdim: true);
        var lk = lw.gather(-1, k).squeeze(-1);
        var uMax = uw.max(-1).values;
        var isK = torch.arange(window, device: device).eq(k);
        var uOthers = uw.masked_fill(isK, double.NegativeInfinity).max(-1).values;
        var p = uw.argmax(-1, keepdim: true);
        var lp = lw.gather(-1, p).squeeze(-1);
        var uBelowP = uw.masked_fill(torch.arange(window, device: device).eq(p), double.NegativeInfinity).max(-1).values;
        return new WindowBounds(index, lw, uw, k, lk, uMax, uOthers, lk >= uOthers, p, lp, uBelowP);
    }

    /// <summary>
    /// A window's bounds (see <see cref="WindowBoundsOf"/>), with P the element of largest upper bound, its lower bound
    /// and the others' largest upper bound.
    /// </summary>
    sealed record WindowBounds(Tensor Index, Tensor Lw, Tensor Uw, Tensor K, Tensor LowerK, Tensor UpperMax, Tensor UpperOthers,
        Tensor Exact, Tensor P, Tensor LowerP, Tensor UpperBelowP)
    {
        /// <summary>
        /// Slope and intercept of the upper line c + s·(x_p − l_p) of an inexact window; the constant max u where the
        /// chord is not defined (l_p unbounded or equal to u_p) or would not be lower.
        /// </summary>
        public (Tensor Slope, Tensor Intercept) UpperChord()
        {
            var width = UpperMax - LowerP;
            var c = torch.maximum(UpperBelowP, LowerP);
            var usable = width.isfinite().logical_and(width > 0).logical_and(c.isfinite()).logical_and(LowerP > -1e30);
            var safeWidth = torch.where(usable, width, torch.ones_like(width));
            var slope = torch.where(usable, ((UpperMax - c) / safeWidth).clamp(0, 1), torch.zeros_like(width));
            var eps = torch.finfo(UpperMax.dtype).eps;
            var margin = 8 * eps * (1 + c.abs() + UpperMax.abs() + slope * LowerP.abs());
            var intercept = torch.where(usable, c - slope * LowerP + margin, UpperMax);
            return (slope, intercept);
        }
    }

    /// <summary>
    /// The input elements of every window, padding left out: for each output element (flat over the per-sample output
    /// shape [n, C, Ho, Wo]) the flat indices into the per-sample input shape <paramref name="inShape"/> [n, C, H, W].
    /// </summary>
    public long[][] WindowInputs(long[] inShape)
    {
        long n = inShape[0], c = inShape[1], h = inShape[2], w = inShape[3];
        long ho = OutSize(h, 0), wo = OutSize(w, 1);
        var result = new long[n * c * ho * wo][];
        var window = new List<long>();
        for (long plane = 0; plane < n * c; plane++)
            for (long i = 0; i < ho; i++)
                for (long j = 0; j < wo; j++)
                {
                    window.Clear();
                    for (long r = i * Strides[0] - Pads[0]; r < i * Strides[0] - Pads[0] + Kernel[0]; r++)
                        for (long q = j * Strides[1] - Pads[1]; q < j * Strides[1] - Pads[1] + Kernel[1]; q++)
                            if (r >= 0 && r < h && q >= 0 && q < w) window.Add((plane * h + r) * w + q);
                    result[(plane * ho + i) * wo + j] = window.ToArray();
                }
        return result;
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;

    long OutSize(long size, int axis) => (size + Pads[axis] + Pads[axis + 2] - Kernel[axis]) / Strides[axis] + 1;

    Tensor Apply(Tensor x)
    {
        long batch = x.shape[0], n = x.shape[1];
        var x4 = Padded(x).reshape(-1, x.shape[^3], x.shape[^2] + Pads[0] + Pads[2], x.shape[^1] + Pads[1] + Pads[3]);
        var y = nn.functional.max_pool2d(x4, Kernel, Strides);
        return y.reshape(batch, n, y.shape[1], y.shape[2], y.shape[3]);
    }

    /// <summary>x [..., H, W] padded with -inf to [..., Hp, Wp].</summary>
    Tensor Padded(Tensor x) => Pads.Any(p => p != 0)
        ? nn.functional.pad(x, new[] { Pads[1], Pads[3], Pads[0], Pads[2] }, PaddingModes.Constant, double.NegativeInfinity)
        : x;

    /// <summary>Flat positions in the padded [Hp, Wp] plane of every window's elements: [Ho·Wo, kh·kw].</summary>
    Tensor WindowIndex(long ho, long wo, long wp, Device device)
    {
        var rows = (torch.arange(ho, device: device) * Strides[0]).reshape(ho, 1, 1, 1) + torch.arange(Kernel[0], device: device).reshape(1, 1, Kernel[0], 1);
        var cols = (torch.arange(wo, device: device) * Strides[1]).reshape(1, wo, 1, 1) + torch.arange(Kernel[1], device: device).reshape(1, 1, 1, Kernel[1]);
        return (rows * wp + cols).reshape(ho * wo, Kernel[0] * Kernel[1]);
    }

    /// <summary>The windows of bounds [batch, n, C, H, W] (padding -inf): [batch, n, C, Ho·Wo, kh·kw].</summary>
    Tensor Windows(Tensor bound, Tensor index, long outputs)
    {
        var flat = Padded(bound).flatten(3);
        long batch = flat.shape[0], n = flat.shape[1], c = flat.shape[2];
        var gathered = flat.gather(-1, index.reshape(1, 1, 1, -1).expand(batch, n, c, index.numel()));
        return gathered.reshape(batch, n, c, outputs, index.shape[1]);
    }
}
