using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Concatenation of several values along one per-sample axis (ONNX Concat).</summary>
public sealed class Concat : Operator
{
    /// <summary>Creates the concatenation of <paramref name="count"/> inputs along per-sample axis <paramref name="axis"/>.</summary>
    public Concat(int axis, int count)
    {
        Axis = axis;
        Count = count;
    }

    /// <summary>Per-sample axis.</summary>
    public int Axis { get; }

    /// <summary>Number of inputs.</summary>
    public int Count { get; }

    /// <inheritdoc />
    public override string OpType => "Concat";

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        var first = inputShapes[0];
        foreach (var s in inputShapes)
            if (s.Length != first.Length || s.Where((d, i) => i != Axis && d != first[i]).Any())
                throw new VerifyException($"Concat: shapes [{string.Join(",", first)}] and [{string.Join(",", s)}] differ outside axis {Axis}");
        var r = (long[])first.Clone();
        r[Axis] = inputShapes.Sum(s => s[Axis]);
        return r;
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => torch.cat(inputs.ToArray(), Axis + 1);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) =>
        new(torch.cat(inputs.Select(b => b.Lower).ToArray(), Axis + 1), torch.cat(inputs.Select(b => b.Upper).ToArray(), Axis + 1));

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var sizes = context.InputShapes.Select(s => s[Axis]).ToArray();
        return new BackwardResult(a.split(sizes, Axis + 2).Select(t => (Tensor?)t).ToArray(), null);
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;
}
