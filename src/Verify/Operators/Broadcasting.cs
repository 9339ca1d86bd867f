using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>Shape helpers shared by operators that broadcast constants or inputs against each other.</summary>
public static class Broadcasting
{
    /// <summary>The numpy-style broadcast of two per-sample shapes; a user error when they do not broadcast.</summary>
    public static long[] Shape(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            long db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new VerifyException($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");
            r[i] = Math.Max(da, db);
        }
        return r;
    }

    /// <summary>
    /// Sums backward coefficients [batch, specs, ...outputShape] down to an input that was broadcast to the output:
    /// leading extra dimensions and dimensions where the input has size 1 are summed.
    /// </summary>
    public static Tensor SumTo(Tensor a, long[] inputShape)
    {
        int outRank = (int)a.dim() - 2;
        int extra = outRank - inputShape.Length;
        if (extra == 0 && a.shape.Skip(2).SequenceEqual(inputShape)) return a;
        var r = a;
        if (extra > 0) r = r.sum(Enumerable.Range(2, extra).Select(d => (long)d).ToArray());
        var dims = new List<long>();
        for (int i = 0; i < inputShape.Length; i++)
            if (inputShape[i] == 1 && r.shape[2 + i] != 1) dims.Add(2 + i);
        if (dims.Count > 0) r = r.sum(dims.ToArray(), keepdim: true);
        return r;
    }

    /// <summary>Sum of every per-sample element: [batch, specs, ...] → [batch, specs].</summary>
    public static Tensor SumSample(Tensor a) => a.flatten(2).sum(2);
}
