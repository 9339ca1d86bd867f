using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Import;

/// <summary>
/// The operator registry: for each supported ONNX operator type, how a node with at least one variable input becomes
/// graph nodes. (Nodes whose inputs are all constant are folded by <see cref="ConstantFolder"/> instead.)
/// </summary>
public static class OnnxConverters
{
    /// <summary>Converts one ONNX node (with at least one variable input) to graph values, one per ONNX output.</summary>
    public delegate OnnxValue[] Converter(OnnxNodeContext node);

    /// <summary>Supported operator types and their converters.</summary>
    public static IReadOnlyDictionary<string, Converter> Registry { get; } = new Dictionary<string, Converter>
    {
        ["Identity"] = n => One(n.Variable(0)),
        ["Dropout"] = n => One(n.Variable(0)),
        ["Cast"] = Cast,
        ["Gemm"] = Gemm,
        ["MatMul"] = MatMul,
        ["Add"] = Add,
        ["Sub"] = Sub,
        ["Mul"] = Mul,
        ["Div"] = Div,
        ["Neg"] = n => One(n.Add(new MulConstant(torch.tensor(-1f)), n.Variable(0))),
        ["Relu"] = n => One(n.Add(new Relu(), n.Variable(0))),
        ["LeakyRelu"] = n => One(n.Add(new LeakyRelu(n.Attributes.Float("alpha", 0.01)), n.Variable(0))),
        ["Sigmoid"] = n => One(n.Add(new Sigmoid(), n.Variable(0))),
        ["Tanh"] = n => One(n.Add(new Tanh(), n.Variable(0))),
        ["Conv"] = Conv,
        ["BatchNormalization"] = BatchNorm,
        ["AveragePool"] = n => Pool(n, max: false),
        ["MaxPool"] = n => Pool(n, max: true),
        ["GlobalAveragePool"] = GlobalAveragePool,
        ["Flatten"] = n => Reshaped(n, OnnxShapes.Flatten(n.Variable(0).Shape, n.Attributes.Int("axis", 1))),
        ["Reshape"] = n => Reshaped(n, OnnxShapes.ReshapeTarget(n.Variable(0).Shape, ConstantFolder.Longs(n.Constant(1)), n.Attributes.Int("allowzero", 0) != 0)),
        ["Squeeze"] = n => Reshaped(n, OnnxShapes.Squeeze(n.Variable(0).Shape, n.Has(1) ? ConstantFolder.Longs(n.Constant(1)) : n.Attributes.Ints("axes"))),
        ["Unsqueeze"] = n => Reshaped(n, OnnxShapes.Unsqueeze(n.Variable(0).Shape, n.Has(1) ? ConstantFolder.Longs(n.Constant(1)) : n.Attributes.Ints("axes") ?? throw n.Error("no axes"))),
        ["Transpose"] = Transpose,
        ["Concat"] = Concat,
        ["Pad"] = Pad,
    };

    static OnnxValue[] One(OnnxValue v) => new[] { v };


    static Tensor Float(Tensor t) => t.is_floating_point() ? t : t.to_type(ScalarType.Float32);

    static OnnxValue[] Cast(OnnxNodeContext n)
    {
        long to = n.Attributes.Int("to", 1);
        if (to is not (1 or 11 or 10)) throw n.Error("a cast of the network's values to a non-float type is not supported");
        return One(n.Variable(0));
    }

    static OnnxValue[] Gemm(OnnxNodeContext n)
    {
        var a = n.Attributes;
        var x = n.Variable(0);
        if (x.Shape.Length != 2) throw n.Error($"Gemm input must be 2-D, got [{string.Join(",", x.Shape)}]");
        // transA: Gemm multiplies Aᵀ, so the value is transposed first.
        if (a.Int("transA", 0) != 0) x = n.Add(new Transpose(new long[] { 1, 0 }), x);
        var b = Float(n.Constant(1));
        if (b.dim() != 2) throw n.Error($"Gemm weight must be 2-D, got [{string.Join(",", b.shape)}]");
        var w = a.Int("transB", 0) != 0 ? b : b.t();
        w = w * a.Float("alpha", 1.0);
        Tensor? bias = null;
        if (n.Has(2))
        {
            // C broadcasts to [M, N]: a scalar, [N] or [1, N] (each row gets the same bias).
            var c = Float(n.Constant(2));
            if (!(c.numel() == 1 || (c.dim() is 1 or 2 && c.numel() == w.shape[0] && c.shape[^1] == w.shape[0])))
                throw n.Error($"Gemm bias of shape [{string.Join(",", c.shape)}] does not broadcast to {w.shape[0]} outputs");
            bias = (c.reshape(-1) * a.Float("beta", 1.0)).broadcast_to(new[] { w.shape[0] }).contiguous();
        }
        return One(n.Add(new Linear(w.contiguous(), bias), x));
    }

    static OnnxValue[] MatMul(OnnxNodeContext n)
    {
        if (n.Inputs[0] is NodeValue x && n.Inputs[1] is ConstantValue cw)
        {
            var w = Float(cw.Tensor);
            if (w.dim() != 2) throw n.Error("MatMul with a constant operand of rank other than 2 is not supported");
            if (x.Shape.Length < 1) throw n.Error("MatMul of a scalar is not supported");
            return One(n.Add(new Linear(w.t().contiguous(), null), x));
        }
        if (n.Inputs[0] is ConstantValue cw2 && n.Inputs[1] is NodeValue x2)
        {
            var w = Float(cw2.Tensor);
            if (w.dim() != 2) throw n.Error("MatMul with a constant operand of rank other than 2 is not supported");
            // W·x for a vector x (numpy semantics for a 1-D right operand) is the affine map of its only axis.
            if (x2.Shape.Length == 1) return One(n.Add(new Linear(w.contiguous(), null), x2));
            return One(n.Add(new LeftLinear(w.contiguous(), null), x2));
        }
        throw n.Error("MatMul of two values that both depend on the input is not supported (it is not linear)");
    }

    static OnnxValue[] Add(OnnxNodeContext n)
    {
        if (n.Inputs[0] is NodeValue x && n.Inputs[1] is NodeValue y) return One(n.Add(new Operators.Add(), x, y));
        var (v, c) = VariableAndConstant(n);
        return One(n.Add(new AddConstant(Float(c)), v));
    }

    static OnnxValue[] Sub(OnnxNodeContext n)
    {
        if (n.Inputs[0] is NodeValue x && n.Inputs[1] is NodeValue y) return One(n.Add(new Operators.Sub(), x, y));
        if (n.Inputs[0] is NodeValue v) return One(n.Add(new AddConstant(-Float(n.Constant(1))), v));
        var negated = n.Add(new MulConstant(torch.tensor(-1f)), n.Variable(1));
        return One(n.Add(new AddConstant(Float(n.Constant(0))), negated));
    }

    static OnnxValue[] Mul(OnnxNodeContext n)
    {
        if (n.Inputs[0] is NodeValue && n.Inputs[1] is NodeValue)
            throw n.Error("Mul of two values that both depend on the input is not supported (it is not linear)");
        var (v, c) = VariableAndConstant(n);
        return One(n.Add(new MulConstant(Float(c)), v));
    }

    static OnnxValue[] Div(OnnxNodeContext n)
    {
        if (n.Inputs[1] is not ConstantValue c) throw n.Error("Div by a value that depends on the input is not supported");
        return One(n.Add(new MulConstant(Float(c.Tensor).reciprocal()), n.Variable(0)));
    }

    static (NodeValue, Tensor) VariableAndConstant(OnnxNodeContext n) =>
        n.Inputs[0] is NodeValue v ? (v, n.Constant(1)) : (n.Variable(1), n.Constant(0));

    static OnnxValue[] Conv(OnnxNodeContext n)
    {
        var x = n.Variable(0);
        var w = Float(n.Constant(1));
        if (w.dim() != 4 || x.Shape.Length != 4) throw n.Error("only 2-D convolutions (4-D input and weight) are supported");
        var a = n.Attributes;
        var strides = Positive(n, "strides", a.Ints("strides") ?? new long[] { 1, 1 }, 2);
        var dilations = Positive(n, "dilations", a.Ints("dilations") ?? new long[] { 1, 1 }, 2);
        if (a.Ints("kernel_shape") is { } kernel && !kernel.SequenceEqual(w.shape[2..]))
            throw n.Error($"kernel_shape [{string.Join(",", kernel)}] does not match the weight [{string.Join(",", w.shape)}]");
        long group = a.Int("group", 1);
        if (group < 1 || w.shape[0] % group != 0)
            throw n.Error($"group {group} does not divide the {w.shape[0]} output channels");
        var pads = ConvPads(n, x.Shape, new[] { w.shape[2], w.shape[3] }, strides, dilations);
        var bias = n.Has(2) ? Float(n.Constant(2)) : null;
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != w.shape[0]))
            throw n.Error($"Conv bias of shape [{string.Join(",", bias.shape)}] does not match {w.shape[0]} output channels");
        return One(n.Add(new Conv(w, bias, pads, strides, dilations, group), x));
    }

    static long[] ConvPads(OnnxNodeContext n, long[] inShape, long[] kernel, long[] strides, long[] dilations)
    {
        var autoPad = n.Attributes.String("auto_pad", "NOTSET");
        if (autoPad is "NOTSET")
        {
            var explicitPads = n.Attributes.Ints("pads") ?? new long[4];
            if (explicitPads.Length != 4 || explicitPads.Any(p => p < 0 || p > OnnxShapes.MaxValueElements))
                throw n.Error($"pads [{string.Join(",", explicitPads)}] must be four non-negative sizes");
            return explicitPads;
        }
        if (autoPad is "VALID") return new long[4];
        if (autoPad is not ("SAME_UPPER" or "SAME_LOWER")) throw n.Error($"auto_pad '{autoPad}' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");
        var pads = new long[4];
        for (int d = 0; d < 2; d++)
        {
            long size = inShape[2 + d], outSize = (size + strides[d] - 1) / strides[d];
            long total = Math.Max(0, (outSize - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - size);
            long small = total / 2, large = total - small;
            (pads[d], pads[d + 2]) = autoPad == "SAME_LOWER" ? (large, small) : (small, large);
        }
        return pads;
    }

    static long[] Positive(OnnxNodeContext n, string name, long[] values, int length)
    {
        if (values.Length != length || values.Any(v => v < 1 || v > OnnxShapes.MaxValueElements))
            throw n.Error($"{name} [{string.Join(",", values)}] must be {length} positive sizes");
        return values;
    }

    static OnnxValue[] BatchNorm(OnnxNodeContext n)
    {
        var x = n.Variable(0);
        if (x.Shape.Length < 2) throw n.Error("BatchNormalization needs an input with a channel dimension");
        for (int i = 1; i <= 4; i++)
            if (n.Constant(i).dim() != 1 || n.Constant(i).shape[0] != x.Shape[1])
                throw n.Error($"input {i} has shape [{string.Join(",", n.Constant(i).shape)}], expected [{x.Shape[1]}] (one value per channel)");
        return One(n.Add(new BatchNormalization(Float(n.Constant(1)), Float(n.Constant(2)), Float(n.Constant(3)),
            Float(n.Constant(4)), n.Attributes.Float("epsilon", 1e-5), x.Shape.Length), x));
    }

    static OnnxValue[] Pool(OnnxNodeContext n, bool max)
    {
        var x = n.Variable(0);
        var a = n.Attributes;
        var kernel = a.Ints("kernel_shape") ?? throw n.Error("kernel_shape is required");
        if (kernel.Length != 2 || x.Shape.Length != 4) throw n.Error("only 2-D pooling is supported");
        Positive(n, "kernel_shape", kernel, 2);
        if (a.Int("ceil_mode", 0) != 0) throw n.Error("ceil_mode=1 is not supported");
        if ((a.Ints("dilations") ?? new long[] { 1, 1 }).Any(d => d != 1)) throw n.Error("dilated pooling is not supported");
        var strides = Positive(n, "strides", a.Ints("strides") ?? new long[] { 1, 1 }, 2);
        var pads = ConvPads(n, x.Shape, kernel, strides, new long[] { 1, 1 });
        if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1])
            throw n.Error($"pads [{string.Join(",", pads)}] must be smaller than the window [{string.Join(",", kernel)}]");
        Operator op = max ? new MaxPool(kernel, strides, pads) : new AveragePool(kernel, strides, pads, a.Int("count_include_pad", 0) != 0);
        return One(n.Add(op, x));
    }

    static OnnxValue[] GlobalAveragePool(OnnxNodeContext n)
    {
        var x = n.Variable(0);
        if (x.Shape.Length != 4) throw n.Error("only 2-D global pooling is supported");
        var kernel = new[] { x.Shape[2], x.Shape[3] };
        return One(n.Add(new AveragePool(kernel, new long[] { 1, 1 }, new long[4], false), x));
    }

    static OnnxValue[] Reshaped(OnnxNodeContext n, long[] shape) => One(n.Add(new Reshape(shape), n.Variable(0)));

    static OnnxValue[] Transpose(OnnxNodeContext n)
    {
        var x = n.Variable(0);
        var perm = n.Attributes.Ints("perm") ?? Enumerable.Range(0, x.Shape.Length).Reverse().Select(i => (long)i).ToArray();
        if (!perm.Order().SequenceEqual(Enumerable.Range(0, x.Shape.Length).Select(i => (long)i)))
            throw n.Error($"perm [{string.Join(",", perm)}] is not a permutation of the {x.Shape.Length} axes");
        return One(n.Add(new Transpose(perm), x));
    }

    static OnnxValue[] Concat(OnnxNodeContext n)
    {
        var inputs = n.Inputs.Where(v => v is not null).ToArray();
        if (inputs.Any(v => v is ConstantValue)) throw n.Error("Concat of constants with values that depend on the input is not supported");
        var vars = inputs.Cast<NodeValue>().ToArray();
        int axis = OnnxShapes.Axis(n.Attributes.Int("axis", 0), vars[0].Shape.Length);
        return One(n.Add(new Concat(axis, vars.Length), vars));
    }

    static OnnxValue[] Pad(OnnxNodeContext n)
    {
        var mode = n.Attributes.String("mode", "constant");
        if (mode is not ("constant" or "wrap")) throw n.Error($"Pad mode '{mode}' is not supported (only constant and wrap)");
        var x = n.Variable(0);
        var pads = n.Has(1) ? ConstantFolder.Longs(n.Constant(1)) : n.Attributes.Ints("pads") ?? throw n.Error("no pads");
        if (n.Has(3)) throw n.Error("Pad with explicit axes is not supported");
        if (n.Has(2) && n.Constant(2).numel() != 1) throw n.Error("the constant_value input must hold one value");
        double value = n.Has(2) ? Float(n.Constant(2)).reshape(-1)[0].to_type(ScalarType.Float64).item<double>() : n.Attributes.Float("value", 0);
        if (pads.Length != 2 * x.Shape.Length) throw n.Error($"pads has {pads.Length} entries for a rank-{x.Shape.Length} input");
        if (pads.Any(p => p < 0)) throw n.Error("negative pads (cropping) are not supported");
        if (pads.Any(p => p > OnnxShapes.MaxValueElements)) throw n.Error($"pads [{string.Join(",", pads)}] are too large");
        if (mode == "wrap" && pads.Select((p, i) => p > x.Shape[i % x.Shape.Length]).Any(b => b))
            throw n.Error($"wrap pads [{string.Join(",", pads)}] exceed the input shape [{string.Join(",", x.Shape)}]");
        return One(n.Add(new Pad(pads, value, mode == "wrap"), x));
    }
}
