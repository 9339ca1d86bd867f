using Verify.Import.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Import;

/// <summary>
/// Evaluates ONNX nodes whose inputs are all constant (shape arithmetic, weight pre-processing, Constant nodes), so
/// that constant sub-graphs disappear at import.
/// </summary>
public static class ConstantFolder
{
    delegate Tensor[] Fold(Tensor?[] x, OnnxAttributes a);

    static readonly Dictionary<string, Fold> Folds = new()
    {
        ["Constant"] = (_, a) => new[] { ConstantOf(a) },
        ["Identity"] = (x, _) => new[] { x[0]! },
        ["Dropout"] = (x, _) => new[] { x[0]! },
        ["Cast"] = (x, a) => new[] { x[0]!.to_type(ScalarTypeOf(a.Int("to", 1))) },
        ["Add"] = (x, _) => new[] { Broadcast(x) + x[1]! },
        ["Sub"] = (x, _) => new[] { Broadcast(x) - x[1]! },
        ["Mul"] = (x, _) => new[] { Broadcast(x) * x[1]! },
        ["Div"] = (x, _) => new[] { Broadcast(x).is_floating_point() ? x[0]! / x[1]! : torch.div(x[0]!, x[1]!, RoundingMode.trunc) },
        ["Neg"] = (x, _) => new[] { -x[0]! },
        ["Sqrt"] = (x, _) => new[] { x[0]!.sqrt() },
        ["Reciprocal"] = (x, _) => new[] { x[0]!.reciprocal() },
        ["Relu"] = (x, _) => new[] { x[0]!.relu() },
        ["Sigmoid"] = (x, _) => new[] { x[0]!.sigmoid() },
        ["Tanh"] = (x, _) => new[] { x[0]!.tanh() },
        ["MatMul"] = (x, _) => new[] { MatMul(x[0]!, x[1]!) },
        ["Shape"] = (x, _) => new[] { torch.tensor(x[0]!.shape, dtype: ScalarType.Int64) },
        ["Transpose"] = (x, a) => new[] { x[0]!.permute(a.Ints("perm") ?? Enumerable.Range(0, (int)x[0]!.dim()).Reverse().Select(i => (long)i).ToArray()) },
        ["Flatten"] = (x, a) => new[] { FlattenAt(x[0]!, a.Int("axis", 1)) },
        ["Reshape"] = (x, a) => new[] { x[0]!.reshape(OnnxShapes.ReshapeTarget(x[0]!.shape, Longs(x[1]!), a.Int("allowzero", 0) != 0)) },
        ["Squeeze"] = (x, a) => new[] { x[0]!.reshape(OnnxShapes.Squeeze(x[0]!.shape, x.Length > 1 && x[1] is not null ? Longs(x[1]!) : a.Ints("axes"))) },
        ["Unsqueeze"] = (x, a) => new[] { x[0]!.reshape(OnnxShapes.Unsqueeze(x[0]!.shape, x.Length > 1 && x[1] is not null ? Longs(x[1]!) : a.Ints("axes") ?? Array.Empty<long>())) },
        ["Concat"] = (x, a) => new[] { torch.cat(x.Where(t => t is not null).Select(t => t!).ToArray(), OnnxShapes.Axis(a.Int("axis", 0), (int)x[0]!.dim())) },
        ["Gather"] = (x, a) => new[] { Gather(x[0]!, x[1]!, a.Int("axis", 0)) },
        ["ConstantOfShape"] = (x, a) => new[] { ConstantOfShape(Longs(x[0]!), a) },
        ["Slice"] = (x, _) => new[] { Slice(x) },
    };

    /// <summary>The most elements a folded constant may have (allocated at import, so checked before).</summary>
    public const long MaxFoldedElements = 1L << 26;

    /// <summary>True when a node of this type can be folded when all its inputs are constant.</summary>
    public static bool CanFold(string opType) => Folds.ContainsKey(opType);

    /// <summary>The node's outputs for constant inputs (null for omitted optional inputs).</summary>
    public static Tensor[] Evaluate(NodeProto node, Tensor?[] inputs)
    {
        var a = new OnnxAttributes(node);
        try
        {
            return Folds[node.OpType](inputs, a);
        }
        catch (VerifyException e)
        {
            throw a.Error(e.Message);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            throw a.Error($"cannot evaluate on its constant inputs: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>A 1-D integer tensor as longs.</summary>
    public static long[] Longs(Tensor t) => t.to_type(ScalarType.Int64).reshape(-1).data<long>().ToArray();

    /// <summary>Checks that a folded result of this shape stays within <see cref="MaxFoldedElements"/>.</summary>
    static void CheckFolded(long[] shape)
    {
        long n = OnnxShapes.Numel(shape);
        if (n > MaxFoldedElements)
            throw new VerifyException($"the constant result [{string.Join(",", shape)}] has {n} elements, more than the {MaxFoldedElements} supported");
    }

    /// <summary>The first operand, after checking that the broadcast of both operands stays within the limit.</summary>
    static Tensor Broadcast(Tensor?[] x)
    {
        CheckFolded(Operators.Broadcasting.Shape(x[0]!.shape, x[1]!.shape));
        return x[0]!;
    }

    static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.dim() >= 2 && b.dim() >= 2)
        {
            var batch = Operators.Broadcasting.Shape(a.shape[..^2], b.shape[..^2]);
            CheckFolded(batch.Append(a.shape[^2]).Append(b.shape[^1]).ToArray());
        }
        return a.matmul(b);
    }

    static Tensor FlattenAt(Tensor x, long axis) => x.reshape(OnnxShapes.Flatten(x.shape, axis));

    static Tensor Gather(Tensor data, Tensor indices, long axis)
    {
        int ax = OnnxShapes.Axis(axis, (int)data.dim());
        var shape = data.shape.Take(ax).Concat(indices.shape).Concat(data.shape.Skip(ax + 1)).ToArray();
        CheckFolded(shape);
        var idx = indices.to_type(ScalarType.Int64);
        idx = torch.where(idx < 0, idx + data.shape[ax], idx);
        var flat = data.index_select(ax, idx.reshape(-1));
        return flat.reshape(shape);
    }

    static Tensor ConstantOfShape(long[] shape, OnnxAttributes a)
    {
        CheckFolded(shape);
        var value = a.Tensor("value");
        var v = value is null ? torch.zeros(1, dtype: ScalarType.Float32) : OnnxTensors.ToTensor(value, CPU).reshape(-1);
        return v.expand(shape.Length == 0 ? new long[] { 1 } : shape).clone().reshape(shape);
    }

    static Tensor Slice(Tensor?[] x)
    {
        var data = x[0]!;
        var starts = Longs(x[1]!);
        var ends = Longs(x[2]!);
        var axes = x.Length > 3 && x[3] is not null ? Longs(x[3]!) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = x.Length > 4 && x[4] is not null ? Longs(x[4]!) : Enumerable.Repeat(1L, starts.Length).ToArray();
        for (int i = 0; i < starts.Length; i++)
        {
            int ax = OnnxShapes.Axis(axes[i], (int)data.dim());
            long dim = data.shape[ax];
            if (steps[i] <= 0) throw new VerifyException("Slice with a non-positive step is not supported");
            long s = Math.Clamp(starts[i] < 0 ? starts[i] + dim : starts[i], 0, dim);
            long e = Math.Clamp(ends[i] < 0 ? ends[i] + dim : ends[i], 0, dim);
            var idx = torch.arange(s, Math.Max(s, e), steps[i], dtype: ScalarType.Int64);
            data = data.index_select(ax, idx);
        }
        return data;
    }

    static Tensor ConstantOf(OnnxAttributes a)
    {
        if (a.Tensor("value") is { } t) return OnnxTensors.ToTensor(t, CPU);
        if (a.Has("value_float")) return torch.tensor((float)a.Float("value_float", 0));
        if (a.Floats("value_floats") is { } fs) return torch.tensor(fs);
        if (a.Has("value_int")) return torch.tensor(a.Int("value_int", 0));
        if (a.Ints("value_ints") is { } ls) return torch.tensor(ls);
        throw new VerifyException("Constant without a supported value attribute (value, value_float(s), value_int(s))");
    }

    /// <summary>The TorchSharp dtype of an ONNX element type.</summary>
    public static ScalarType ScalarTypeOf(long onnxType) => onnxType switch
    {
        1 => ScalarType.Float32,
        2 => ScalarType.Byte,
        3 => ScalarType.Int8,
        5 => ScalarType.Int16,
        6 => ScalarType.Int32,
        7 => ScalarType.Int64,
        9 => ScalarType.Bool,
        10 => ScalarType.Float16,
        11 => ScalarType.Float64,
        _ => throw new VerifyException($"unsupported ONNX element type {onnxType}"),
    };
}
