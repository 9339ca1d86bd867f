using static TorchSharp.torch;

namespace Verify.Import;

/// <summary>A named value during import: a constant (folded) or the output of a graph node.</summary>
public abstract record OnnxValue;

/// <summary>A constant tensor (on the CPU, in its ONNX shape and dtype).</summary>
public sealed record ConstantValue(Tensor Tensor) : OnnxValue;

/// <summary>The output of graph node <paramref name="Node"/>, whose per-sample shape (the ONNX shape) is <paramref name="Shape"/>.</summary>
public sealed record NodeValue(int Node, long[] Shape) : OnnxValue;
