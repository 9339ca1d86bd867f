namespace Verify.Spec;

/// <summary>An axis-aligned box of inputs (flattened in C order): Lower[i] &lt;= X_i &lt;= Upper[i].</summary>
/// <param name="Lower">Lower bound of each input.</param>
/// <param name="Upper">Upper bound of each input.</param>
public sealed record InputBox(double[] Lower, double[] Upper)
{
    /// <summary>Number of inputs.</summary>
    public int Size => Lower.Length;

    /// <summary>True when the point lies inside the box.</summary>
    public bool Contains(double[] x)
    {
        for (int i = 0; i < Lower.Length; i++)
            if (!(x[i] >= Lower[i] && x[i] <= Upper[i])) return false;
        return true;
    }
}
