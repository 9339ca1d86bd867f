using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// 2-D convolution (ONNX Conv) on per-sample shapes [n, C, H, W]: pads (possibly asymmetric), strides, dilations
/// and groups. The backward rule is the transposed convolution.
/// </summary>
public sealed class Conv : Operator
{
    /// <summary>Creates the convolution; <paramref name="pads"/> is ONNX's [top, left, bottom, right].</summary>
    public Conv(Tensor weight, Tensor? bias, long[] pads, long[] strides, long[] dilations, long groups)
    {
        if (weight.dim() != 4) throw new VerifyException("Conv: only 2-D convolutions are supported");
        if (pads.Length != 4 || strides.Length != 2 || dilations.Length != 2)
            throw new VerifyException("Conv: pads, strides and dilations must describe two spatial axes");
        Weight = weight;
        Bias = bias;
        Pads = pads;
        Strides = strides;
        Dilations = dilations;
        Groups = groups;
    }

    /// <summary>Weight [outChannels, inChannels/groups, kh, kw].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [outChannels] or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>[top, left, bottom, right].</summary>
    public long[] Pads { get; }

    /// <summary>Strides (h, w).</summary>
    public long[] Strides { get; }

    /// <summary>Dilations (h, w).</summary>
    public long[] Dilations { get; }

    /// <summary>Number of groups.</summary>
    public long Groups { get; }

    /// <inheritdoc />
    public override string OpType => "Conv";

    /// <inheritdoc />
    public override long ParameterCount => Weight.numel() + (Bias?.numel() ?? 0);

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var s = inputShapes[0];
        if (s.Length != 4) throw new VerifyException($"Conv expects a 4-D input [N,C,H,W], got [{string.Join(",", s)}]");
        if (s[1] != Weight.shape[1] * Groups || Weight.shape[0] % Groups != 0)
            throw new VerifyException($"Conv: input has {s[1]} channels, weight [{string.Join(",", Weight.shape)}] with {Groups} group(s) expects {Weight.shape[1] * Groups}");
        long h = OutSize(s[2], 0), w = OutSize(s[3], 1);
        if (h <= 0 || w <= 0) throw new VerifyException($"Conv: the kernel does not fit the [{s[2]},{s[3]}] input");
        return new[] { s[0], Weight.shape[0], h, w };
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0], Weight, Bias);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) =>
        WeightedInterval.Of(inputs[0], Apply, Weight, Bias);

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var inShape = context.InputShapes[0];
        long co = a.shape[^3], ho = a.shape[^2], wo = a.shape[^1];
        long hp = inShape[2] + Pads[0] + Pads[2], wp = inShape[3] + Pads[1] + Pads[3];
        var a4 = a.reshape(-1, co, ho, wo);
        long opH = hp - ((ho - 1) * Strides[0] + Dilations[0] * (Weight.shape[2] - 1) + 1);
        long opW = wp - ((wo - 1) * Strides[1] + Dilations[1] * (Weight.shape[3] - 1) + 1);
        var back = nn.functional.conv_transpose2d(a4, Weight, null, Strides, new long[] { 0, 0 },
            new[] { opH, opW }, Dilations, Groups);
        if (Pads.Any(p => p != 0)) back = back.narrow(2, Pads[0], inShape[2]).narrow(3, Pads[1], inShape[3]);
        var newA = back.reshape(new[] { a.shape[0], a.shape[1] }.Concat(inShape).ToArray());
        Tensor? bias = null;
        if (Bias is not null)
            bias = (a.reshape(a.shape[0], a.shape[1], -1, co, ho * wo).sum(4) * Bias).flatten(2).sum(2);
        return BackwardResult.Single(newA, bias);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) =>
        new Conv(convert(Weight), Bias is null ? null : convert(Bias), Pads, Strides, Dilations, Groups);

    long OutSize(long size, int axis) =>
        (size + Pads[axis] + Pads[axis + 2] - Dilations[axis] * (Weight.shape[2 + axis] - 1) - 1) / Strides[axis] + 1;

    Tensor Apply(Tensor x, Tensor w, Tensor? b)
    {
        long batch = x.shape[0], n = x.shape[1];
        var x4 = x.reshape(-1, x.shape[^3], x.shape[^2], x.shape[^1]);
        var padding = new long[] { Pads[0], Pads[1] };
        if (Pads[0] != Pads[2] || Pads[1] != Pads[3])
        {
            x4 = nn.functional.pad(x4, new[] { Pads[1], Pads[3], Pads[0], Pads[2] });
            padding = new long[] { 0, 0 };
        }
        var y = nn.functional.conv2d(x4, w, b, Strides, padding, Dilations, Groups);
        return y.reshape(batch, n, y.shape[1], y.shape[2], y.shape[3]);
    }
}
