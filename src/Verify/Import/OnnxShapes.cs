namespace Verify.Import;

/// <summary>ONNX shape rules (Reshape, Squeeze, Unsqueeze, axes) on plain shape arrays.</summary>
public static class OnnxShapes
{
    /// <summary>The most elements one value of the network (one sample) may have.</summary>
    public const long MaxValueElements = int.MaxValue;

    /// <summary>The highest rank a value of the network may have.</summary>
    public const int MaxRank = 32;

    /// <summary>The number of elements of a shape; a user error for a negative dimension or a product past int64.</summary>
    public static long Numel(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new VerifyException($"shape [{string.Join(",", shape)}] has a negative dimension");
            try
            {
                n = checked(n * d);
            }
            catch (OverflowException)
            {
                throw new VerifyException($"shape [{string.Join(",", shape)}] has more elements than int64 can count");
            }
        }
        return n;
    }

    /// <summary>Checks the per-sample shape of a network value: rank at most <see cref="MaxRank"/>, at most <see cref="MaxValueElements"/> elements.</summary>
    public static void CheckValueShape(long[] shape)
    {
        if (shape.Length > MaxRank) throw new VerifyException($"rank {shape.Length} is more than the {MaxRank} supported");
        long n = Numel(shape);
        if (n > MaxValueElements)
            throw new VerifyException($"shape [{string.Join(",", shape)}] has {n} elements, more than the {MaxValueElements} supported");
    }

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
        long total = Numel(input);
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
        long known = Numel(shape.Where((d, i) => i != infer).ToArray());
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
        if (insert.Count != axes.Length) throw new VerifyException($"Unsqueeze: axes [{string.Join(",", axes)}] repeat an axis");
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
        return new[] { Numel(input.Take((int)ax).ToArray()), Numel(input.Skip((int)ax).ToArray()) };
    }
}
