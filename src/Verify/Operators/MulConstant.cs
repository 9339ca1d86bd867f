using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Multiplication by a constant (ONNX Mul, Div by a constant, Neg).</summary>
public sealed class MulConstant : ElementwiseAffine
{
    /// <summary>Creates y = x·factor.</summary>
    public MulConstant(Tensor factor) : base(factor, null) { }

    /// <inheritdoc />
    public override string OpType => "Mul";

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => new MulConstant(convert(Scale!));
}
