namespace Verify.Solvers;

/// <summary>
/// Encoding of one max-pool window y = max_j x_j in a <see cref="LinearModel"/>: y &gt;= x_j for every element that can
/// be the maximum (u_j &gt;= the window's largest lower bound; the others are dominated), and, with one selector d_j per
/// such element (Σ d_j = 1), y &lt;= x_j + (U − l_j)(1 − d_j) with U the largest upper bound. Integer selectors make it
/// exact; continuous ones in [0, 1] give its LP relaxation.
/// </summary>
internal static class MaxPoolEncoding
{
    /// <summary>
    /// The output column of one window over the element columns <paramref name="x"/> with (already loosened) bounds
    /// <paramref name="lower"/>, <paramref name="upper"/>; a window whose maximum is decided reuses that element's column.
    /// </summary>
    public static int Window(LinearModel model, int[] x, double[] lower, double[] upper, bool exact)
    {
        double lk = lower.Max();
        var candidates = Enumerable.Range(0, x.Length).Where(j => upper[j] >= lk).ToArray();
        if (candidates.Length == 1) return x[candidates[0]];
        if (candidates.Any(j => !double.IsFinite(lower[j]) || !double.IsFinite(upper[j])))
            throw new VerifyException("the max-pool encoding needs finite bounds of every element that can be a window's maximum");
        double top = candidates.Max(j => upper[j]);
        int y = model.AddColumn(lk, top);
        var selectors = new int[candidates.Length];
        for (int i = 0; i < candidates.Length; i++)
        {
            int j = candidates[i];
            selectors[i] = model.AddColumn(0, 1, integer: exact);
            // y >= x_j; y - x_j + (U - l_j)·d_j <= U - l_j.
            model.AddRow(0, double.PositiveInfinity, new[] { y, x[j] }, new[] { 1.0, -1.0 });
            double m = top - lower[j];
            model.AddRow(double.NegativeInfinity, m, new[] { y, x[j], selectors[i] }, new[] { 1.0, -1.0, m });
        }
        model.AddRow(1, 1, selectors, Enumerable.Repeat(1.0, selectors.Length).ToArray());
        return y;
    }
}
