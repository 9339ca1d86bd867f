namespace Verify.Solvers;

/// <summary>
/// A lower bound of a model's minimum that is valid for any row multipliers, recomputed on our side from the
/// solver's dual values: min c·x over rows lo &lt;= A·x &lt;= hi and bounded columns is at least
/// Σ_r (y_r·lo_r if y_r &gt; 0, y_r·hi_r if y_r &lt; 0) + Σ_j min over [l_j, u_j] of (c - Aᵀy)_j·x_j.
/// With optimal duals it equals the optimum; with inexact ones (solver tolerances, first-order solvers) it is
/// only lower, never unsound. Floating-point rounding in the sums is covered by an explicit error term.
/// </summary>
internal static class LagrangianBound
{
    const double Eps = 2.220446049250313e-16;

    /// <summary>The bound for the model's current objective and the duals of its last solve (−∞ when a column the
    /// bound needs is unbounded).</summary>
    public static double Of(LinearModel model)
    {
        int n = model.ColumnCount;
        var reduced = new double[n];
        var magnitude = new double[n];
        var terms = new int[n];
        foreach (var (j, c) in model.Objective)
        {
            reduced[j] = c;
            magnitude[j] = Math.Abs(c);
        }
        double sum = model.ObjectiveOffset, error = Math.Abs(sum), slack = 0;
        int count = 1;
        for (int r = 0; r < model.RowCount; r++)
        {
            double y = model.DualValue(r);
            var row = model.Rows[r];
            double side = y > 0 ? row.Lower : row.Upper;
            if (y == 0 || double.IsNaN(y) || double.IsInfinity(side)) continue;
            double t = y * side;
            sum += t;
            error += Math.Abs(t);
            count++;
            for (int k = 0; k < row.Columns.Length; k++)
            {
                int j = row.Columns[k];
                double p = y * row.Coefficients[k];
                reduced[j] -= p;
                magnitude[j] += Math.Abs(p);
                terms[j]++;
            }
        }
        for (int j = 0; j < n; j++)
        {
            if (magnitude[j] == 0) continue;
            double lo = model.ColumnLower(j), hi = model.ColumnUpper(j);
            double range = Math.Max(Math.Abs(lo), Math.Abs(hi));
            if (double.IsInfinity(range)) return double.NegativeInfinity;
            // d_j carries a rounding error of at most (terms + 1)·eps·magnitude; take the worse end for it too.
            double dError = (terms[j] + 2) * Eps * magnitude[j];
            double t = reduced[j] >= 0 ? reduced[j] * lo : reduced[j] * hi;
            sum += t;
            error += Math.Abs(t);
            slack += dError * range;
            count++;
        }
        return sum - slack - 2 * (count + 1) * Eps * error;
    }
}
