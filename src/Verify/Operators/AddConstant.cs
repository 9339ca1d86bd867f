using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Addition of a constant (ONNX Add or Sub with one constant operand).</summary>
public sealed class AddConstant : ElementwiseAffine
{
    /// <summary>Creates y = x + offset.</summary>
    public AddConstant(Tensor offset) : base(null, offset) { }

    /// <inheritdoc />
    public override string OpType => "Add";

    /// <inheritdoc />
    public override Operator Map(Func<Tensor, Tensor> convert) => new AddConstant(convert(Shift!));
}
