using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// 2-D max pooling (ONNX MaxPool without dilation or ceil mode) on per-sample shapes [n, C, H, W]; padding never wins.
/// Relaxation of each window (CROWN): with k the element of largest lower bound, y &gt;= x_k from below and
/// y &lt;= max_j u_j from above, or y = x_k on both sides when l_k &gt;= u_j for every other j.
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
        long ho = OutSize(inShape[2], 0), wo = OutSize(inShape[3], 1), window = Kernel[0] * Kernel[1];
        var index = WindowIndex(ho, wo, wp, a.device);
        // Padding gets -inf lower and upper bounds; real lower bounds are kept above -inf so that k is never padding.
        var lw = Windows(bounds.Lower.clamp_min(torch.finfo(bounds.Lower.dtype).min), index, ho * wo);
        var uw = Windows(bounds.Upper, index, ho * wo);
        var k = lw.argmax(-1, keepdim: true);
        var lk = lw.gather(-1, k).squeeze(-1);
        var uMax = uw.max(-1).values;
        var isK = torch.arange(window, device: a.device).eq(k);
        var uOthers = uw.masked_fill(isK, double.NegativeInfinity).max(-1).values;
        var exact = (lk >= uOthers).unsqueeze(1);
        var a5 = a.reshape(batch, specs, n, c, ho * wo);
        var aPos = a5.clamp_min(0);
        var aNeg = a5.clamp_max(0);
        var coefficient = aPos + torch.where(exact, aNeg, torch.zeros_like(aNeg));
        var bias = torch.where(exact, torch.zeros_like(aNeg), aNeg * uMax.unsqueeze(1)).flatten(2).sum(2);
        var target = index.expand(batch, n, c, ho * wo, window).gather(-1, k).squeeze(-1).unsqueeze(1).expand(batch, specs, n, c, ho * wo);
        // Overlapping windows may pick the same element: their coefficients add up.
        var padded = torch.zeros(new[] { batch, specs, n, c, hp * wp }, dtype: a.dtype, device: a.device)
            .scatter_add(-1, target, coefficient)
            .reshape(batch, specs, n, c, hp, wp);
        var newA = padded.narrow(4, Pads[0], inShape[2]).narrow(5, Pads[1], inShape[3]);
        return BackwardResult.Single(newA, bias);
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
