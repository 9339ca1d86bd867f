using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>A permutation of the per-sample axes (ONNX Transpose).</summary>
public sealed class Transpose : Operator
{
    /// <summary>Creates the permutation (ONNX perm over the per-sample axes).</summary>
    public Transpose(long[] perm)
    {
        if (!perm.OrderBy(p => p).Select(p => (int)p).SequenceEqual(Enumerable.Range(0, perm.Length)))
            throw new VerifyException($"Transpose: perm [{string.Join(",", perm)}] is not a permutation");
        Perm = perm;
    }

    /// <summary>The permutation.</summary>
    public long[] Perm { get; }

    /// <inheritdoc />
    public override string OpType => "Transpose";

    /// <inheritdoc />
    public override long[] InferShape(IReadOnlyList<long[]> inputShapes)
    {
        if (inputShapes[0].Length != Perm.Length)
            throw new VerifyException($"Transpose: perm has {Perm.Length} axes for a rank-{inputShapes[0].Length} input");
        return Perm.Select(p => inputShapes[0][p]).ToArray();
    }

    /// <inheritdoc />
    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0]);

    /// <inheritdoc />
    public override IntervalBounds Interval(IReadOnlyList<IntervalBounds> inputs) => new(Apply(inputs[0].Lower), Apply(inputs[0].Upper));

    /// <inheritdoc />
    public override BackwardResult Backward(Tensor a, BackwardContext context)
    {
        var inverse = new long[Perm.Length];
        for (int i = 0; i < Perm.Length; i++) inverse[Perm[i]] = i;
        return BackwardResult.Single(a.permute(new long[] { 0, 1 }.Concat(inverse.Select(p => p + 2)).ToArray()));
    }

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => this;

    Tensor Apply(Tensor x) => x.permute(new long[] { 0 }.Concat(Perm.Select(p => p + 1)).ToArray());
}
