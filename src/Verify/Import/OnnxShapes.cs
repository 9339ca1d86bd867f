namespace Verify.Import;

/// <summary>ONNX shape rules (Reshape, Squeeze, Unsqueeze, axes) on plain shape arrays.</summary>
public static class OnnxShapes
{
    /// <summary>A possibly negative axis normalised for a tensor of the given rank.</summary>
    public static int Axis(long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1)) throw new VerifyException($"axis {axis} is out of range for rank {rank}");
        return (int)a;
    }

    /// <summary>The target shape of ONNX Reshape (0 copies a dimension unless allowzero, -1 is inferred).</summary>
    public static long[] ReshapeTarget(long[] input, long[] target, bool allowZero)
    {
        var shape = (long[])target.Clone();
        long total = input.Aggregate(1L, (p, d) => p * d);
        int infer = -1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 0 && !allowZero)
            {
                if (i >= input.Length) throw new VerifyException($"Reshape: 0 at position {i} has no input dimension to copy");
                shape[i] = input[i];
            }
            else if (shape[i] == -1)
            {
                if (infer >= 0) throw new VerifyException("Reshape: more than one -1 in the target shape");
                infer = i;
            }
            else if (shape[i] < 0) throw new VerifyException($"Reshape: invalid dimension {shape[i]}");
        }
        long known = shape.Where((d, i) => i != infer).Aggregate(1L, (p, d) => p * d);
        if (infer >= 0)
        {
            if (known == 0 || total % known != 0)
                throw new VerifyException($"Reshape: cannot reshape [{string.Join(",", input)}] to [{string.Join(",", target)}]");
            shape[infer] = total / known;
        }
        else if (known != total)
            throw new VerifyException($"Reshape: cannot reshape [{string.Join(",", input)}] ({total} elements) to [{string.Join(",", target)}]");
        return shape;
    }

    /// <summary>Shape after ONNX Squeeze (all size-1 dims when no axes are given).</summary>
    public static long[] Squeeze(long[] input, long[]? axes)
    {
        if (axes is null || axes.Length == 0) return input.Where(d => d != 1).ToArray();
        var drop = axes.Select(a => Axis(a, input.Length)).ToHashSet();
        foreach (var a in drop)
            if (input[a] != 1) throw new VerifyException($"Squeeze: dimension {a} has size {input[a]}, not 1");
        return input.Where((d, i) => !drop.Contains(i)).ToArray();
    }

    /// <summary>Shape after ONNX Unsqueeze.</summary>
    public static long[] Unsqueeze(long[] input, long[] axes)
    {
        int rank = input.Length + axes.Length;
        var insert = axes.Select(a => Axis(a, rank)).ToHashSet();
        var result = new long[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) result[i] = insert.Contains(i) ? 1 : input[k++];
        return result;
    }

    /// <summary>Shape after ONNX Flatten at <paramref name="axis"/>.</summary>
    public static long[] Flatten(long[] input, long axis)
    {
        long ax = axis < 0 ? axis + input.Length : axis;
        if (ax < 0 || ax > input.Length) throw new VerifyException($"Flatten: axis {axis} is out of range for rank {input.Length}");
        return new[] { input.Take((int)ax).Aggregate(1L, (p, d) => p * d), input.Skip((int)ax).Aggregate(1L, (p, d) => p * d) };
    }
}
