using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Constant padding of the per-sample axes (ONNX Pad, mode constant, non-negative pads).</summary>
public sealed class Pad : Operator
{
    /// <summary>Creates the padding; <paramref name="pads"/> is ONNX's [begin_0.., end_0..] over the per-sample axes.</summary>
    public Pad(long[] pads, double value)
    {
        Pads = pads;
        Value = value;
    }

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
        var inner = a;
        for (int d = 0; d < shape.Length; d++)
            if (Pads[d] != 0 || Pads[d + shape.Length] != 0) inner = inner.narrow(d + 2, Pads[d], shape[d]);
        Tensor? bias = Value == 0 ? null : (Broadcasting.SumSample(a) - Broadcasting.SumSample(inner)) * Value;
        return BackwardResult.Single(inner, bias);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;

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
        return nn.functional.pad(x, p, PaddingModes.Constant, Value);
    }
}
