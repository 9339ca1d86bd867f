namespace Verify.Spec;

/// <summary>An axis-aligned box of inputs (flattened in C order): Lower[i] &lt;= X_i &lt;= Upper[i].</summary>
/// <param name="Lower">Lower bound of each input.</param>
/// <param name="Upper">Upper bound of each input.</param>
public sealed record InputBox(double[] Lower, double[] Upper)
{
    /// <summary>Number of inputs.</summary>
    public int Size => Lower.Length;

    /// <summary>The smallest box holding every one of <paramref name="boxes"/> (at least one, all of one size).</summary>
    public static InputBox Hull(IReadOnlyList<InputBox> boxes)
    {
        int n = boxes[0].Size;
        return new InputBox(Enumerable.Range(0, n).Select(i => boxes.Min(b => b.Lower[i])).ToArray(),
            Enumerable.Range(0, n).Select(i => boxes.Max(b => b.Upper[i])).ToArray());
    }

    /// <summary>The box [c − eps, c + eps]; a user error for a negative or non-finite eps.</summary>
    public static InputBox Around(double[] center, double eps)
    {
        if (!(eps >= 0) || !double.IsFinite(eps)) throw new VerifyException($"--eps must be a finite number >= 0, got {eps}");
        return new InputBox(center.Select(c => c - eps).ToArray(), center.Select(c => c + eps).ToArray());
    }

    /// <summary>The box intersected with [lo, hi] in every coordinate; a user error when that is empty.</summary>
    public InputBox Clip(double lo, double hi)
    {
        if (!(lo <= hi)) throw new VerifyException($"--domain needs LO <= HI, got {lo},{hi}");
        var l = Lower.Select(v => Math.Max(v, lo)).ToArray();
        var u = Upper.Select(v => Math.Min(v, hi)).ToArray();
        for (int i = 0; i < l.Length; i++)
            if (l[i] > u[i]) throw new VerifyException($"the region does not meet the domain [{lo}, {hi}] at input {i}");
        return new InputBox(l, u);
    }

    /// <summary>True when the point lies inside the box.</summary>
    public bool Contains(double[] x)
    {
        for (int i = 0; i < Lower.Length; i++)
            if (!(x[i] >= Lower[i] && x[i] <= Upper[i])) return false;
        return true;
    }
}
