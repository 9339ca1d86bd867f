using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// Padding of the per-sample axes (ONNX Pad, non-negative pads): mode constant, or wrap (periodic: the padded entry at
/// t is the input's entry at (t − begin) mod size, as a circular convolution needs).
/// </summary>
public sealed class Pad : Operator
{
    /// <summary>Creates the padding; <paramref name="pads"/> is ONNX's [begin_0.., end_0..] over the per-sample axes.</summary>
    public Pad(long[] pads, double value, bool wrap = false)
    {
        Pads = pads;
        Value = value;
        Wrap = wrap;
    }

    /// <summary>Whether the mode is wrap (periodic) rather than constant.</summary>
    public bool Wrap { get; }

    /// <summary>ONNX pads: the begins of every axis, then the ends.</summary>
    public long[] Pads { get; }

    /// <summary>The fill value.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public override string OpType => "Pad";

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var s = inputShapes[0];
        if (Pads.Length != 2 * s.Length) throw new VerifyException($"Pad: {Pads.Length} pads for a rank-{s.Length} input");
        if (Wrap && s.Select((d, i) => Pads[i] > d || Pads[i + s.Length] > d || (d == 0 && Pads[i] + Pads[i + s.Length] > 0)).Any(b => b))
            throw new VerifyException($"Pad: wrap pads [{string.Join(",", Pads)}] exceed the input shape [{string.Join(",", s)}]");
        return s.Select((d, i) => d + Pads[i] + Pads[i + s.Length]).ToArray();
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0]);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) => new(Apply(inputs[0].Lower), Apply(inputs[0].Upper));

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var shape = context.InputShapes[0];
        if (Wrap) return BackwardResult.Single(Fold(a, shape, 2), null);
        var inner = a;
        for (int d = 0; d < shape.Length; d++)
            if (Pads[d] != 0 || Pads[d + shape.Length] != 0) inner = inner.narrow(d + 2, Pads[d], shape[d]);
        Tensor? bias = Value == 0 ? null : (Broadcasting.SumSample(a) - Broadcasting.SumSample(inner)) * Value;
        return BackwardResult.Single(inner, bias);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;

    /// <summary>The adjoint of the wrap padding: each padded entry's coefficient added to the input entry it copies.</summary>
    Tensor Fold(Tensor a, long[] shape, int lead)
    {
        var r = a;
        for (int d = 0; d < shape.Length; d++)
        {
            long begin = Pads[d], size = shape[d];
            if (begin == 0 && Pads[d + shape.Length] == 0) continue;
            long padded = r.shape[d + lead];
            var index = (torch.arange(padded, dtype: ScalarType.Int64, device: r.device) - begin).remainder(size);
            var outShape = r.shape.ToArray();
            outShape[d + lead] = size;
            r = torch.zeros(outShape, dtype: r.dtype, device: r.device).index_add_(d + lead, index, r, 1);
        }
        return r;
    }

    Tensor Apply(Tensor x)
    {
        int rank = Pads.Length / 2;
        // torch's pad lists (begin, end) pairs from the last axis backwards.
        var p = new long[2 * rank];
        for (int d = 0; d < rank; d++)
        {
            p[2 * (rank - 1 - d)] = Pads[d];
            p[2 * (rank - 1 - d) + 1] = Pads[d + rank];
        }
        if (!Wrap) return nn.functional.pad(x, p, PaddingModes.Constant, Value);
        // torch's circular padding covers the trailing axes only; the leading sample axes are padded one at a time.
        var r = x;
        for (int d = 0; d < rank; d++)
        {
            long begin = Pads[d], end = Pads[d + rank];
            if (begin == 0 && end == 0) continue;
            int axis = (int)(x.dim() - rank + d);
            long size = r.shape[axis];
            var index = (torch.arange(-begin, size + end, dtype: ScalarType.Int64, device: r.device)).remainder(size);
            r = r.index_select(axis, index);
        }
        return r;
    }
}
