using Verify.Import;
using Verify.Import.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Fuzz.Seeds;

/// <summary>Small ONNX models built in code, covering the operators the importer converts or folds.</summary>
public static class BuiltModels
{
    /// <summary>The built models by name.</summary>
    public static IReadOnlyList<(string Name, ModelProto Model)> All()
    {
        var generator = new Random(17);
        return new[]
        {
            ("built:mlp", Mlp(generator)),
            ("built:cnn", Cnn(generator)),
            ("built:folding", Folding(generator)),
            ("built:residual", Residual(generator)),
        };
    }

    static Tensor Weights(Random rng, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[n];
        for (long i = 0; i < n; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return torch.tensor(values).reshape(shape);
    }

    /// <summary>4-8-3 ReLU MLP with a symbolic batch (Gemm, Relu).</summary>
    static ModelProto Mlp(Random rng)
    {
        var b = new OnnxModelBuilder("mlp");
        var h = b.Input("x", new long[] { 1, 4 }, symbolicBatch: "N");
        h = b.Node("Gemm", new[] { h, b.Initializer("w1", Weights(rng, 8, 4)), b.Initializer("b1", Weights(rng, 8)) }, "fc1", ("transB", 1L));
        h = b.Node("Relu", new[] { h }, "relu1");
        h = b.Node("Gemm", new[] { h, b.Initializer("w2", Weights(rng, 3, 8)), b.Initializer("b2", Weights(rng, 3)) }, "fc2", ("transB", 1L));
        b.Output(h, new long[] { 1, 3 }, symbolicBatch: "N");
        return b.Model;
    }

    /// <summary>Conv (pads), BatchNormalization, Relu, MaxPool, AveragePool, Flatten, Gemm on a 1x6x6 image.</summary>
    static ModelProto Cnn(Random rng)
    {
        var b = new OnnxModelBuilder("cnn");
        var h = b.Input("image", new long[] { 1, 1, 6, 6 });
        h = b.Node("Conv", new[] { h, b.Initializer("cw", Weights(rng, 2, 1, 3, 3)), b.Initializer("cb", Weights(rng, 2)) }, "conv",
            ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 1, 1 }), ("kernel_shape", new long[] { 3, 3 }));
        h = b.Node("BatchNormalization", new[] { h, b.Initializer("scale", Weights(rng, 2)), b.Initializer("shift", Weights(rng, 2)),
            b.Initializer("mean", Weights(rng, 2)), b.Initializer("var", torch.tensor(new[] { 0.5f, 2f })) }, "bn", ("epsilon", 1e-5));
        h = b.Node("Relu", new[] { h }, "relu");
        h = b.Node("MaxPool", new[] { h }, "maxpool", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        h = b.Node("AveragePool", new[] { h }, "avgpool", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 1, 1 }),
            ("pads", new long[] { 0, 0, 1, 1 }));
        h = b.Node("Flatten", new[] { h }, "flatten", ("axis", 1L));
        h = b.Node("Gemm", new[] { h, b.Initializer("fw", Weights(rng, 3, 18)) }, "fc", ("transB", 1L), ("alpha", 0.5));
        b.Output(h, new long[] { 1, 3 });
        return b.Model;
    }

    /// <summary>
    /// Shape arithmetic and weight pre-processing folded at import (Shape, Slice, Concat, Constant, ConstantOfShape,
    /// Cast, Sqrt, Reciprocal, Gather), with Reshape, MatMul, Add, Sub, Mul, Div, Sigmoid, Tanh, LeakyRelu, Neg,
    /// Unsqueeze, Pad, Squeeze, Transpose, Identity, Dropout and Concat on the input's values.
    /// </summary>
    static ModelProto Folding(Random rng)
    {
        var b = new OnnxModelBuilder("folding");
        var x = b.Input("x", new long[] { 1, 2, 3 });
        var shape = b.Node("Shape", new[] { x }, "shape");
        var batch = b.Node("Slice", new[] { shape, b.Initializer("s0", torch.tensor(new[] { 0L })), b.Initializer("s1", torch.tensor(new[] { 1L })) }, "batch");
        var minusOne = b.Node("Constant", Array.Empty<string>(), "minus_one", ("value", torch.tensor(new[] { -1L })));
        var target = b.Node("Concat", new[] { batch, minusOne }, "target", ("axis", 0L));
        var flat = b.Node("Reshape", new[] { x, target }, "reshape");
        var ones = b.Node("ConstantOfShape", new[] { b.Initializer("wshape", torch.tensor(new[] { 6L, 4L })) }, "ones",
            ("value", torch.tensor(new[] { 0.25f })));
        var noise = b.Initializer("noise", Weights(rng, 6, 4).to_type(ScalarType.Float64));
        var w = b.Node("Add", new[] { ones, b.Node("Cast", new[] { noise }, "cast_noise", ("to", 1L)) }, "w");
        var h = b.Node("MatMul", new[] { flat, w }, "matmul");
        var bias = b.Node("Sqrt", new[] { b.Initializer("bsq", torch.tensor(new[] { 1f, 4f, 9f, 16f })) }, "bias");
        h = b.Node("Add", new[] { h, bias }, "add");
        h = b.Node("Sigmoid", new[] { h }, "sigmoid");
        var two = b.Node("Reciprocal", new[] { b.Initializer("half", torch.tensor(0.5f)) }, "two");
        h = b.Node("Div", new[] { h, two }, "div");
        h = b.Node("Sub", new[] { h, b.Initializer("shift", Weights(rng, 4)) }, "sub");
        h = b.Node("Mul", new[] { b.Initializer("three", torch.tensor(3f)), h }, "mul");
        h = b.Node("Tanh", new[] { h }, "tanh");
        h = b.Node("LeakyRelu", new[] { h }, "leaky", ("alpha", 0.1));
        h = b.Node("Neg", new[] { h }, "neg");
        h = b.Node("Unsqueeze", new[] { h, b.Initializer("axis1", torch.tensor(new[] { 1L })) }, "unsqueeze");
        h = b.Node("Pad", new[] { h, b.Initializer("pads", torch.tensor(new long[] { 0, 0, 1, 0, 0, 1 })) }, "pad");
        h = b.Node("Squeeze", new[] { h, b.Initializer("axis1b", torch.tensor(new[] { 1L })) }, "squeeze");
        var t = b.Node("Transpose", new[] { h }, "transpose", ("perm", new long[] { 1, 0 }));
        t = b.Node("Transpose", new[] { t }, "transpose_back", ("perm", new long[] { 1, 0 }));
        var id = b.Node("Identity", new[] { t }, "identity");
        var drop = b.Node("Dropout", new[] { h }, "dropout");
        h = b.Node("Concat", new[] { id, drop }, "concat", ("axis", 1L));
        var picked = b.Node("Gather", new[] { b.Initializer("table", Weights(rng, 3, 2, 12)), b.Initializer("which", torch.tensor(1L)) }, "gather", ("axis", 0L));
        h = b.Node("Gemm", new[] { h, picked }, "fc", ("transB", 1L));
        b.Output(h, new long[] { 1, 2 });
        return b.Model;
    }

    /// <summary>Two variable branches joined by Add, Sub and Concat, then MatMul by a constant.</summary>
    static ModelProto Residual(Random rng)
    {
        var b = new OnnxModelBuilder("residual");
        var x = b.Input("x", new long[] { 1, 4 });
        var h = b.Node("Gemm", new[] { x, b.Initializer("w", Weights(rng, 4, 4)) }, "fc");
        var r = b.Node("Relu", new[] { h }, "relu");
        var s = b.Node("Add", new[] { r, x }, "skip");
        var d = b.Node("Sub", new[] { s, h }, "diff");
        var c = b.Node("Concat", new[] { s, d }, "join", ("axis", 1L));
        var y = b.Node("MatMul", new[] { c, b.Initializer("head", Weights(rng, 8, 2)) }, "head");
        b.Output(y, new long[] { 1, 2 });
        return b.Model;
    }
}
