using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Operators;

/// <summary>
/// One conformance case: a tiny ONNX model x [1, 6] → Gemm (mixing the inputs) → [Reshape to the operator's input
/// shape] → the operator under test → Reshape to [1, width] → [Gemm to 3 outputs, when <c>post</c>]. The operator's
/// variable inputs all depend on x, so the registry's converter (not the constant folder) imports it.
/// </summary>
/// <param name="Name">Case name (the operator type, plus a variant).</param>
/// <param name="OpType">The ONNX operator type under test (a key of <see cref="OnnxConverters.Registry"/>).</param>
/// <param name="Affine">True when the operator is affine, so that the whole model is affine and CROWN is exact.</param>
/// <param name="Body">Adds the operator's node and returns its output.</param>
/// <param name="Width">Number of elements of the operator's output.</param>
public sealed record OperatorCase(string Name, string OpType, bool Affine, Func<CaseContext, string> Body, long Width)
{
    /// <summary>Input size of every case's model.</summary>
    public const int InputSize = 6;

    /// <summary>Number of outputs of the model with the final Gemm.</summary>
    public const int PostOutputs = 3;

    /// <summary>Writes the case's model; <paramref name="post"/> appends a Gemm to 3 outputs after the reshape.</summary>
    public void Write(string path, bool post, int seed)
    {
        var b = new OnnxModelBuilder(Name);
        var ctx = new CaseContext(b, b.Input("x", new long[] { 1, InputSize }), seed);
        var h = Body(ctx);
        h = b.Node("Reshape", new[] { h, ctx.Longs(1, -1) }, "final_reshape");
        if (post) h = b.Node("Gemm", new[] { h, ctx.Weight(Width, PostOutputs), ctx.Weight(PostOutputs) }, "post_gemm");
        b.Output(h, new long[] { 1, post ? PostOutputs : Width });
        b.Save(path);
    }

    public override string ToString() => Name;
}

/// <summary>What a case's body builds with: the builder, variables of any shape (affine maps of x) and constants.</summary>
public sealed class CaseContext
{
    readonly Generator gen;
    int count;

    public CaseContext(OnnxModelBuilder builder, string x, int seed)
    {
        B = builder;
        X = x;
        gen = new Generator((ulong)seed);
    }

    public OnnxModelBuilder B { get; }

    /// <summary>The model input [1, 6].</summary>
    public string X { get; }

    /// <summary>A random float32 matrix initializer [rows, cols], standard normal times <paramref name="scale"/> (default 1/√rows).</summary>
    public string Weight(long rows, long cols, double scale = 0) =>
        Constant(torch.randn(new[] { rows, cols }, generator: gen) * (scale > 0 ? scale : 1.0 / Math.Sqrt(rows)));

    /// <summary>A random float32 vector initializer.</summary>
    public string Weight(long n, double scale = 0.3) => Constant(torch.randn(new[] { n }, generator: gen) * scale);

    /// <summary>A float32 initializer of random values of the given shape.</summary>
    public string Random(long[] shape, double scale = 1) => Constant(torch.randn(shape, generator: gen) * scale);

    /// <summary>An initializer holding the given tensor.</summary>
    public string Constant(Tensor t) => B.Initializer($"c{count++}", t);

    /// <summary>An int64 initializer (shapes, axes, pads).</summary>
    public string Longs(params long[] values) => Constant(torch.tensor(values, dtype: ScalarType.Int64));

    /// <summary>
    /// A variable of the given shape (leading dimension 1): Gemm of x to the shape's size, reshaped when the shape is
    /// not [1, n].
    /// </summary>
    public string Variable(params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, d) => a * d);
        // [1, n] from x; reshaped to the shape unless it is [1, n] already (a 1-D shape [n] is reshaped too).
        var h = B.Node("Gemm", new[] { X, Weight(OperatorCase.InputSize, n), Weight(n) }, $"pre_gemm_{count++}");
        if (shape.Length != 2 || shape[0] != 1) h = B.Node("Reshape", new[] { h, Longs(shape) }, $"pre_reshape_{count++}");
        return h;
    }
}

/// <summary>The conformance cases, at least one per registered ONNX operator type.</summary>
public static class OperatorConformanceCases
{
    static OperatorCase C(string name, string op, bool affine, Func<CaseContext, string> body, long width) =>
        new(name, op, affine, body, width);

    /// <summary>Every case; the last argument is the number of elements of the operator's output.</summary>
    public static IReadOnlyList<OperatorCase> All { get; } = new List<OperatorCase>
    {
        C("Identity", "Identity", true, c => c.B.Node("Identity", new[] { c.Variable(1, 5) }), 5),
        C("Dropout", "Dropout", true, c => c.B.Node("Dropout", new[] { c.Variable(1, 5) }), 5),
        C("Dropout-ratio", "Dropout", true, c => c.B.Node("Dropout", new[] { c.Variable(1, 5), c.Constant(torch.tensor(0.5f)) }), 5),
        C("Cast", "Cast", true, c => c.B.Node("Cast", new[] { c.Variable(1, 5) }, null, ("to", 1L)), 5),
        C("Gemm", "Gemm", true, c => c.B.Node("Gemm", new[] { c.Variable(1, 5), c.Weight(5, 4), c.Weight(4) }), 4),
        C("Gemm-transB-alpha-beta", "Gemm", true, c => c.B.Node("Gemm", new[] { c.Variable(1, 5), c.Weight(4, 5), c.Random(new long[] { 1, 4 }) },
            null, ("transB", 1L), ("alpha", 0.7), ("beta", -1.3)), 4),
        C("Gemm-transA", "Gemm", true, c => c.B.Node("Gemm", new[] { c.Variable(1, 5), c.Weight(1, 3, 0.8), c.Random(new long[] { 3 }) },
            null, ("transA", 1L)), 15),
        C("MatMul", "MatMul", true, c => c.B.Node("MatMul", new[] { c.Variable(1, 5), c.Weight(5, 4) }), 4),
        C("MatMul-3d", "MatMul", true, c => c.B.Node("MatMul", new[] { c.Variable(1, 2, 5), c.Weight(5, 3) }), 6),
        C("MatMul-constant-left", "MatMul", true, c => c.B.Node("MatMul", new[] { c.Weight(3, 1, 0.8), c.Variable(1, 5) }), 15),
        C("Add", "Add", true, c => c.B.Node("Add", new[] { c.Variable(1, 5), c.Variable(1, 5) }), 5),
        C("Add-constant", "Add", true, c => c.B.Node("Add", new[] { c.Variable(1, 5), c.Weight(5) }), 5),
        C("Add-constant-left-broadcast", "Add", true, c => c.B.Node("Add", new[] { c.Random(new long[] { 1, 2, 1, 1 }), c.Variable(1, 2, 2, 2) }), 8),
        C("Sub", "Sub", true, c => c.B.Node("Sub", new[] { c.Variable(1, 5), c.Variable(1, 5) }), 5),
        C("Sub-constant", "Sub", true, c => c.B.Node("Sub", new[] { c.Variable(1, 5), c.Weight(5) }), 5),
        C("Sub-from-constant", "Sub", true, c => c.B.Node("Sub", new[] { c.Weight(5), c.Variable(1, 5) }), 5),
        C("Mul", "Mul", true, c => c.B.Node("Mul", new[] { c.Variable(1, 5), c.Random(new long[] { 5 }) }), 5),
        C("Mul-constant-left-scalar", "Mul", true, c => c.B.Node("Mul", new[] { c.Constant(torch.tensor(-2.5f)), c.Variable(1, 5) }), 5),
        C("Div", "Div", true, c => c.B.Node("Div", new[] { c.Variable(1, 5), c.Constant(torch.tensor(new[] { 2f, -0.5f, 4f, 1.5f, -3f })) }), 5),
        C("Neg", "Neg", true, c => c.B.Node("Neg", new[] { c.Variable(1, 5) }), 5),
        C("Relu", "Relu", false, c => c.B.Node("Relu", new[] { c.Variable(1, 6) }), 6),
        C("LeakyRelu", "LeakyRelu", false, c => c.B.Node("LeakyRelu", new[] { c.Variable(1, 6) }, null, ("alpha", 0.1)), 6),
        C("LeakyRelu-default-alpha", "LeakyRelu", false, c => c.B.Node("LeakyRelu", new[] { c.Variable(1, 6) }), 6),
        C("Sigmoid", "Sigmoid", false, c => c.B.Node("Sigmoid", new[] { c.Variable(1, 6) }), 6),
        C("Tanh", "Tanh", false, c => c.B.Node("Tanh", new[] { c.Variable(1, 6) }), 6),
        C("Conv", "Conv", true, c => c.B.Node("Conv", new[] { c.Variable(1, 2, 4, 4), c.Random(new long[] { 3, 2, 3, 3 }, 0.4), c.Weight(3) },
            null, ("pads", new long[] { 1, 1, 1, 1 })), 48),
        C("Conv-strided-asymmetric-pads-no-bias", "Conv", true, c => c.B.Node("Conv", new[] { c.Variable(1, 2, 5, 5), c.Random(new long[] { 2, 2, 2, 3 }, 0.4) },
            null, ("pads", new long[] { 1, 0, 0, 1 }), ("strides", new long[] { 2, 1 })), 2 * 3 * 4),
        C("Conv-grouped-dilated", "Conv", true, c => c.B.Node("Conv", new[] { c.Variable(1, 2, 5, 5), c.Random(new long[] { 4, 1, 2, 2 }, 0.5), c.Weight(4) },
            null, ("group", 2L), ("dilations", new long[] { 2, 2 })), 4 * 3 * 3),
        C("Conv-same-upper", "Conv", true, c => c.B.Node("Conv", new[] { c.Variable(1, 1, 4, 4), c.Random(new long[] { 2, 1, 2, 2 }, 0.5), c.Weight(2) },
            null, ("auto_pad", "SAME_UPPER")), 32),
        C("BatchNormalization", "BatchNormalization", true, c => c.B.Node("BatchNormalization", new[]
        {
            c.Variable(1, 3, 2, 2), c.Random(new long[] { 3 }), c.Random(new long[] { 3 }), c.Random(new long[] { 3 }),
            c.Constant(torch.tensor(new[] { 0.5f, 1.5f, 2.0f })),
        }, null, ("epsilon", 1e-3)), 12),
        C("AveragePool", "AveragePool", true, c => c.B.Node("AveragePool", new[] { c.Variable(1, 2, 4, 4) },
            null, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 })), 8),
        C("AveragePool-pads-excluded", "AveragePool", true, c => c.B.Node("AveragePool", new[] { c.Variable(1, 2, 4, 4) },
            null, ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 })), 8),
        C("AveragePool-pads-included", "AveragePool", true, c => c.B.Node("AveragePool", new[] { c.Variable(1, 2, 4, 4) },
            null, ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("count_include_pad", 1L)), 32),
        C("MaxPool", "MaxPool", false, c => c.B.Node("MaxPool", new[] { c.Variable(1, 2, 4, 4) },
            null, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 })), 8),
        C("MaxPool-overlapping-pads", "MaxPool", false, c => c.B.Node("MaxPool", new[] { c.Variable(1, 1, 4, 4) },
            null, ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 0, 0, 1 }), ("strides", new long[] { 1, 2 })), 6),
        C("GlobalAveragePool", "GlobalAveragePool", true, c => c.B.Node("GlobalAveragePool", new[] { c.Variable(1, 3, 2, 3) }), 3),
        C("Flatten", "Flatten", true, c => c.B.Node("Flatten", new[] { c.Variable(1, 2, 3, 2) }, null, ("axis", 2L)), 12),
        C("Reshape", "Reshape", true, c => c.B.Node("Reshape", new[] { c.Variable(1, 12), c.Longs(1, 3, 4) }), 12),
        C("Reshape-inferred", "Reshape", true, c => c.B.Node("Reshape", new[] { c.Variable(1, 2, 6), c.Longs(0, -1, 3) }), 12),
        C("Squeeze", "Squeeze", true, c => c.B.Node("Squeeze", new[] { c.Variable(1, 3, 1, 4), c.Longs(2) }), 12),
        C("Unsqueeze", "Unsqueeze", true, c => c.B.Node("Unsqueeze", new[] { c.Variable(1, 5), c.Longs(1, 3) }), 5),
        C("Transpose", "Transpose", true, c => c.B.Node("Transpose", new[] { c.Variable(1, 2, 3, 4) }, null, ("perm", new long[] { 0, 3, 1, 2 })), 24),
        C("Concat", "Concat", true, c => c.B.Node("Concat", new[] { c.Variable(1, 2, 2, 2), c.Variable(1, 1, 2, 2) }, null, ("axis", 1L)), 12),
        C("Concat-last-axis-three", "Concat", true, c => c.B.Node("Concat", new[] { c.Variable(1, 2), c.Variable(1, 3), c.Variable(1, 1) }, null, ("axis", -1L)), 6),
        C("Pad", "Pad", true, c => c.B.Node("Pad", new[] { c.Variable(1, 1, 3, 3), c.Longs(0, 0, 1, 0, 0, 0, 0, 2) }), 4 * 5),
        C("Pad-value", "Pad", true, c => c.B.Node("Pad", new[] { c.Variable(1, 4), c.Longs(0, 2, 0, 1), c.Constant(torch.tensor(0.75f)) }), 7),
        // Edge cases of the same operators: a value used twice, default attributes, axes and pads of other kinds.
        C("Add-same-value-twice", "Add", true, c => { var v = c.Variable(1, 5); return c.B.Node("Add", new[] { v, v }); }, 5),
        C("Sub-same-value-twice", "Sub", true, c => { var v = c.Variable(1, 5); return c.B.Node("Sub", new[] { v, v }); }, 5),
        C("Concat-same-value-twice", "Concat", true, c => { var v = c.Variable(1, 2, 3); return c.B.Node("Concat", new[] { v, v }, null, ("axis", -2L)); }, 12),
        C("Gemm-no-bias", "Gemm", true, c => c.B.Node("Gemm", new[] { c.Variable(1, 5), c.Weight(5, 4) }), 4),
        C("Gemm-scalar-bias", "Gemm", true, c => c.B.Node("Gemm", new[] { c.Variable(1, 5), c.Weight(5, 4), c.Constant(torch.tensor(0.7f)) }), 4),
        C("MatMul-constant-left-vector", "MatMul", true, c => c.B.Node("MatMul", new[] { c.Weight(3, 5, 0.5), c.Variable(5) }), 3),
        C("Mul-row-constant", "Mul", true, c => c.B.Node("Mul", new[] { c.Variable(1, 5), c.Random(new long[] { 1, 5 }) }), 5),
        C("Div-per-channel", "Div", true, c => c.B.Node("Div", new[] { c.Variable(1, 2, 2, 2), c.Constant(torch.tensor(new[] { 0.5f, -4f }).reshape(2, 1, 1)) }), 8),
        C("BatchNormalization-2d", "BatchNormalization", true, c => c.B.Node("BatchNormalization", new[]
        {
            c.Variable(1, 4), c.Random(new long[] { 4 }), c.Random(new long[] { 4 }), c.Random(new long[] { 4 }),
            c.Constant(torch.tensor(new[] { 0.3f, 1f, 2f, 4f })),
        }), 4),
        C("Sigmoid-saturating", "Sigmoid", false, c => c.B.Node("Sigmoid", new[] { c.B.Node("Mul", new[] { c.Variable(1, 6), c.Constant(torch.tensor(5f)) }) }), 6),
        C("Tanh-saturating", "Tanh", false, c => c.B.Node("Tanh", new[] { c.B.Node("Mul", new[] { c.Variable(1, 6), c.Constant(torch.tensor(5f)) }) }), 6),
        C("Relu-4d", "Relu", false, c => c.B.Node("Relu", new[] { c.Variable(1, 2, 2, 2) }), 8),
        C("MaxPool-same-lower", "MaxPool", false, c => c.B.Node("MaxPool", new[] { c.Variable(1, 1, 5, 5) },
            null, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("auto_pad", "SAME_LOWER")), 9),
        C("AveragePool-same-upper", "AveragePool", true, c => c.B.Node("AveragePool", new[] { c.Variable(1, 2, 3, 3) },
            null, ("kernel_shape", new long[] { 2, 2 }), ("auto_pad", "SAME_UPPER")), 18),
        C("Flatten-axis-0", "Flatten", true, c => c.B.Node("Flatten", new[] { c.Variable(1, 2, 3) }, null, ("axis", 0L)), 6),
        C("Flatten-default-axis", "Flatten", true, c => c.B.Node("Flatten", new[] { c.Variable(1, 2, 3) }), 6),
        C("Squeeze-every-unit-axis", "Squeeze", true, c => c.B.Node("Squeeze", new[] { c.Variable(1, 3, 1, 4) }), 12),
        C("Unsqueeze-negative-axis", "Unsqueeze", true, c => c.B.Node("Unsqueeze", new[] { c.Variable(1, 5), c.Longs(-1) }), 5),
        C("Transpose-default-perm", "Transpose", true, c => c.B.Node("Transpose", new[] { c.Variable(1, 2, 3) }), 6),
        C("Pad-channel-axis", "Pad", true, c => c.B.Node("Pad", new[] { c.Variable(1, 2, 2, 2), c.Longs(0, 1, 0, 0, 0, 0, 1, 1) }), 27),
        C("Pad-wrap", "Pad", true, c =>
        {
            c.B.Model.IrVersion = 9; // mode wrap is opset 19
            c.B.Model.OpsetImport[0].Version = 19;
            return c.B.Node("Pad", new[] { c.Variable(1, 2, 3, 3), c.Longs(0, 0, 1, 2, 0, 0, 2, 0) }, null, ("mode", "wrap"));
        }, 2 * 6 * 5),
    };
}
