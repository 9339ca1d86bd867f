using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// 2-D average pooling (ONNX AveragePool, GlobalAveragePool) on per-sample shapes [n, C, H, W]: a linear map whose
/// backward rule spreads each coefficient over its window, divided by the window's count.
/// </summary>
public sealed class AveragePool : Operator
{
    /// <summary>Creates the pooling; <paramref name="pads"/> is ONNX's [top, left, bottom, right].</summary>
    public AveragePool(long[] kernel, long[] strides, long[] pads, bool countIncludePad)
    {
        Kernel = kernel;
        Strides = strides;
        Pads = pads;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window (kh, kw).</summary>
    public long[] Kernel { get; }

    /// <summary>Strides (h, w).</summary>
    public long[] Strides { get; }

    /// <summary>[top, left, bottom, right].</summary>
    public long[] Pads { get; }

    /// <summary>Whether padded zeros count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    public override string OpType => "AveragePool";

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var s = inputShapes[0];
        if (s.Length != 4) throw new VerifyException($"AveragePool expects a 4-D input [N,C,H,W], got [{string.Join(",", s)}]");
        long h = (s[2] + Pads[0] + Pads[2] - Kernel[0]) / Strides[0] + 1, w = (s[3] + Pads[1] + Pads[3] - Kernel[1]) / Strides[1] + 1;
        if (h <= 0 || w <= 0) throw new VerifyException($"AveragePool: the window does not fit the [{s[2]},{s[3]}] input");
        return new[] { s[0], s[1], h, w };
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0]);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) => new(Apply(inputs[0].Lower), Apply(inputs[0].Upper));

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var inShape = context.InputShapes[0];
        long c = a.shape[^3], ho = a.shape[^2], wo = a.shape[^1];
        var a4 = a.reshape(-1, c, ho, wo) * Divisor(inShape[2], inShape[3], a);
        var kernel = torch.ones(c, 1, Kernel[0], Kernel[1], dtype: a.dtype, device: a.device);
        long hp = inShape[2] + Pads[0] + Pads[2], wp = inShape[3] + Pads[1] + Pads[3];
        long opH = hp - ((ho - 1) * Strides[0] + Kernel[0]), opW = wp - ((wo - 1) * Strides[1] + Kernel[1]);
        var back = nn.functional.conv_transpose2d(a4, kernel, null, Strides, new long[] { 0, 0 }, new[] { opH, opW }, null, c);
        if (Pads.Any(p => p != 0)) back = back.narrow(2, Pads[0], inShape[2]).narrow(3, Pads[1], inShape[3]);
        return BackwardResult.Single(back.reshape(new[] { a.shape[0], a.shape[1] }.Concat(inShape).ToArray()));
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;

    Tensor Apply(Tensor x)
    {
        long batch = x.shape[0], n = x.shape[1];
        var x4 = x.reshape(-1, x.shape[^3], x.shape[^2], x.shape[^1]);
        var padded = Pads.Any(p => p != 0) ? nn.functional.pad(x4, new[] { Pads[1], Pads[3], Pads[0], Pads[2] }) : x4;
        var sums = nn.functional.avg_pool2d(padded, Kernel, Strides) * (Kernel[0] * Kernel[1]);
        var y = sums * Divisor(x.shape[^2], x.shape[^1], x);
        return y.reshape(batch, n, y.shape[1], y.shape[2], y.shape[3]);
    }

    /// <summary>1/count of each output window ([Ho, Wo], or a scalar when every window is full).</summary>
    Tensor Divisor(long h, long w, Tensor like)
    {
        if (CountIncludePad || Pads.All(p => p == 0))
            return torch.tensor(1.0 / (Kernel[0] * Kernel[1]), dtype: like.dtype, device: like.device);
        var ones = nn.functional.pad(torch.ones(1, 1, h, w, dtype: like.dtype, device: like.device), new[] { Pads[1], Pads[3], Pads[0], Pads[2] });
        var counts = nn.functional.avg_pool2d(ones, Kernel, Strides) * (Kernel[0] * Kernel[1]);
        return counts.reciprocal().reshape(counts.shape[2], counts.shape[3]);
    }
}
