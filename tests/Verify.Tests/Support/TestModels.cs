using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Support;

/// <summary>
/// Small ONNX models written with <see cref="OnnxModelBuilder"/> that between them use every supported operator,
/// for comparisons with ONNX Runtime and soundness checks of every operator's rules.
/// </summary>
public static class TestModels
{
    /// <summary>Names of the models <see cref="Write"/> can build.</summary>
    public static readonly string[] Names = { "cnn", "residual", "weight_first", "folded_constants", "gemm_trans_a" };

    /// <summary>Writes the named model into <paramref name="dir"/> and returns its path and its input size.</summary>
    public static (string Path, int InputSize) Write(string name, string dir, int seed = 1)
    {
        var gen = new Generator((ulong)seed);
        Tensor R(params long[] shape) => torch.randn(shape, generator: gen) * 0.5f;
        var b = new OnnxModelBuilder(name);
        var path = System.IO.Path.Combine(dir, name + ".onnx");
        int inputSize;
        switch (name)
        {
            case "cnn":
            {
                var x = b.Input("x", new long[] { 1, 2, 9, 9 }, symbolicBatch: "N");
                var h = b.Node("Conv", new[] { x, b.Initializer("w1", R(4, 2, 3, 3)), b.Initializer("b1", R(4)) }, "conv1",
                    ("pads", new long[] { 1, 0, 2, 1 }), ("strides", new long[] { 2, 1 }));
                h = b.Node("BatchNormalization", new[] { h, b.Initializer("g", R(4) + 1), b.Initializer("be", R(4)),
                    b.Initializer("m", R(4)), b.Initializer("v", R(4).abs() + 0.5f) }, "bn1", ("epsilon", 1e-5));
                h = b.Node("Relu", new[] { h }, "relu1");
                h = b.Node("Conv", new[] { h, b.Initializer("w2", R(4, 2, 2, 2)) }, "conv2",
                    ("group", 2L), ("dilations", new long[] { 2, 1 }), ("pads", new long[] { 1, 1, 1, 1 }));
                h = b.Node("AveragePool", new[] { h }, "avg", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 1, 1 }),
                    ("pads", new long[] { 0, 1, 1, 0 }));
                h = b.Node("Pad", new[] { h, b.Initializer("pads", torch.tensor(new long[] { 0, 0, 1, 0, 0, 0, 0, 2 })),
                    b.Initializer("padv", torch.tensor(new[] { 0.25f })) }, "pad");
                h = b.Node("LeakyRelu", new[] { h }, "leaky", ("alpha", 0.1));
                h = b.Node("Flatten", new[] { h }, "flat", ("axis", 1L));
                var flat = FlatSize(b, path, h);
                h = b.Node("Gemm", new[] { h, b.Initializer("w3", R(flat, 5)), b.Initializer("b3", R(5)) }, "fc",
                    ("alpha", 0.7), ("beta", 1.5));
                b.Output(h, new long[] { 1, 5 }, symbolicBatch: "N");
                inputSize = 2 * 9 * 9;
                break;
            }
            case "residual":
            {
                var x = b.Input("x", new long[] { 1, 6 });
                var h1 = b.Node("Gemm", new[] { x, b.Initializer("w1", R(8, 6)), b.Initializer("b1", R(8)) }, "fc1", ("transB", 1L));
                var r1 = b.Node("Relu", new[] { h1 }, "relu1");
                var h2 = b.Node("MatMul", new[] { r1, b.Initializer("w2", R(8, 8)) }, "mm2");
                h2 = b.Node("Add", new[] { h2, b.Initializer("b2", R(8)) }, "add_bias");
                var res = b.Node("Add", new[] { h2, h1 }, "residual");
                var d = b.Node("Sub", new[] { res, r1 }, "sub");
                d = b.Node("Mul", new[] { d, b.Initializer("s", R(8)) }, "scale");
                d = b.Node("Div", new[] { d, b.Initializer("two", torch.tensor(new[] { 2f })) }, "half");
                var n = b.Node("Neg", new[] { d }, "neg");
                var c = b.Node("Sub", new[] { b.Initializer("one", torch.tensor(new[] { 1f })), n }, "one_minus");
                var r2 = b.Node("Relu", new[] { c }, "relu2");
                var cat = b.Node("Concat", new[] { r2, d }, "cat", ("axis", 1L));
                var u = b.Node("Unsqueeze", new[] { cat, b.Initializer("ax", torch.tensor(new long[] { 2 })) }, "unsq");
                var t = b.Node("Transpose", new[] { u }, "tr", ("perm", new long[] { 0, 2, 1 }));
                var s = b.Node("Squeeze", new[] { t, b.Initializer("ax1", torch.tensor(new long[] { 1 })) }, "sq");
                s = b.Node("Dropout", new[] { s }, "drop");
                s = b.Node("Identity", new[] { s }, "id");
                var y = b.Node("Gemm", new[] { s, b.Initializer("w3", R(16, 3)) }, "fc3");
                b.Output(y, new long[] { 1, 3 });
                inputSize = 6;
                break;
            }
            case "weight_first":
            {
                var x = b.Input("x", new long[] { 5, 1 });
                var h = b.Node("MatMul", new[] { b.Initializer("w1", R(7, 5)), x }, "mm1");
                h = b.Node("Add", new[] { h, b.Initializer("b1", R(7, 1)) }, "bias1");
                h = b.Node("Relu", new[] { h }, "relu1");
                h = b.Node("MatMul", new[] { b.Initializer("w2", R(4, 7)), h }, "mm2");
                h = b.Node("Reshape", new[] { h, b.Initializer("shape", torch.tensor(new long[] { 1, -1 })) }, "reshape");
                b.Output(h, new long[] { 1, 4 });
                inputSize = 5;
                break;
            }
            case "gemm_trans_a":
            {
                // A column input [5, 1]: Gemm with transA multiplies its transpose [1, 5] by the weight.
                var x = b.Input("x", new long[] { 5, 1 });
                var h = b.Node("Gemm", new[] { x, b.Initializer("w1", R(5, 7)), b.Initializer("b1", R(7)) }, "fc1", ("transA", 1L));
                h = b.Node("Relu", new[] { h }, "relu1");
                h = b.Node("Gemm", new[] { h, b.Initializer("w2", R(3, 7)) }, "fc2", ("transB", 1L), ("alpha", 0.5));
                b.Output(h, new long[] { 1, 3 });
                inputSize = 5;
                break;
            }
            default:
            {
                // Constant sub-graphs: a weight built by Transpose/Mul of initializers and a Reshape target computed by Shape.
                var x = b.Input("x", new long[] { 1, 4 }, symbolicBatch: "N", elemType: 11);
                var wt = b.Node("Transpose", new[] { b.Initializer("wt", R(4, 6).to_type(ScalarType.Float64)) }, "wt_t");
                var ws = b.Node("Mul", new[] { wt, b.Initializer("k", torch.tensor(new[] { 3.0 })) }, "w_scaled");
                var cst = b.Node("Constant", Array.Empty<string>(), "bias_const", ("value", R(6).to_type(ScalarType.Float64)));
                var h = b.Node("Gemm", new[] { x, ws, cst }, "fc", ("transB", 1L));
                h = b.Node("Tanh", new[] { h }, "tanh");
                var shape = b.Node("Shape", new[] { h }, "shape");
                h = b.Node("Reshape", new[] { h, shape }, "reshape_same");
                h = b.Node("Sigmoid", new[] { h }, "sigmoid");
                b.Output(h, new long[] { 1, 6 }, symbolicBatch: "N", elemType: 11);
                inputSize = 4;
                break;
            }
        }
        b.Save(path);
        return (path, inputSize);
    }

    /// <summary>The flattened size after the cnn's convolutional part (computed with ONNX Runtime, independently of our shapes).</summary>
    static long FlatSize(OnnxModelBuilder b, string path, string value)
    {
        var probe = new OnnxModelBuilder("probe");
        probe.Model.Graph.MergeFrom(b.Model.Graph);
        probe.Output(value, new long[] { 1, -1 });
        var tmp = path + ".probe.onnx";
        probe.Save(tmp);
        using var runner = new Verify.Verification.OnnxRuntimeRunner(tmp);
        var n = runner.Run(new double[runner.InputSize]).Length;
        File.Delete(tmp);
        return n;
    }
}
