using Verify.SolverHost;
using Verify.Solvers;

namespace Verify.Lipschitz;

/// <summary>
/// The GLOP model behind <see cref="LeafFeasibility"/>, built once per network and box and re-used for every pattern
/// of a branch-and-bound run: only column bounds, row bounds and the two coefficients of each free ReLU's triangle
/// change between checks, so GLOP re-solves from its previous state instead of a model rebuilt through the wrapper.
/// </summary>
/// <remarks>
/// Columns: the margin t, the inputs x, and per hidden neuron its pre-activation z and activation a. Rows per neuron:
/// z − W·a_prev = b; a − z (= 0 active, ≥ 0 free, free row when inactive, where a is fixed to 0); z − t ≥ 0 (active);
/// z + t ≤ 0 (inactive); (u−l)·a − u·z ≤ −u·l (the triangle's upper side, free ReLUs). Unused rows get infinite sides.
/// </remarks>
public sealed class PatternLp : IDisposable
{
    /// <summary>Margin above which a pattern counts as interior.</summary>
    const double InteriorMargin = 1e-5;

    /// <summary>Relative slack on the pre-activation bounds.</summary>
    const double Slack = 1e-9;

    /// <summary>
    /// GLOP without its preprocessing re-solves the re-bounded model about twice as fast (measured in the study); the
    /// verdicts rest on our own Lagrangian bound and the doubled infeasibility check, not on GLOP's presolve.
    /// </summary>
    const string NoPreprocessing = "use_preprocessing:false";

    readonly LinearModel model = new("GLOP");
    readonly int t;
    readonly int[][] z, a, link, above, below, triangle;

    /// <summary>Builds the model for the network over the box [lower, upper].</summary>
    public PatternLp(LipschitzNetwork net, double[] lower, double[] upper)
    {
        var layers = net.Dense.Layers;
        int h = net.HiddenLayers;
        t = model.AddColumn(-1, 1);
        var prev = Enumerable.Range(0, lower.Length).Select(i => model.AddColumn(lower[i], upper[i])).ToArray();
        z = new int[h][]; a = new int[h][]; link = new int[h][]; above = new int[h][]; below = new int[h][]; triangle = new int[h][];
        for (int k = 0; k < h; k++)
        {
            var w = layers[k].Weight;
            int n = layers[k].Outputs;
            z[k] = new int[n]; a[k] = new int[n]; link[k] = new int[n]; above[k] = new int[n]; below[k] = new int[n]; triangle[k] = new int[n];
            for (int i = 0; i < n; i++)
            {
                z[k][i] = model.AddColumn(double.NegativeInfinity, double.PositiveInfinity);
                a[k][i] = model.AddColumn(0, double.PositiveInfinity);
                var cols = new List<int> { z[k][i] };
                var coefs = new List<double> { 1 };
                for (int p = 0; p < prev.Length; p++)
                    if (w[i, p] != 0) { cols.Add(prev[p]); coefs.Add(-w[i, p]); }
                model.AddRow(layers[k].Bias[i], layers[k].Bias[i], cols, coefs);
                link[k][i] = Row(double.NegativeInfinity, double.PositiveInfinity, (a[k][i], 1), (z[k][i], -1));
                above[k][i] = Row(double.NegativeInfinity, double.PositiveInfinity, (z[k][i], 1), (t, -1));
                below[k][i] = Row(double.NegativeInfinity, double.PositiveInfinity, (z[k][i], 1), (t, 1));
                triangle[k][i] = Row(double.NegativeInfinity, double.PositiveInfinity, (a[k][i], 1), (z[k][i], -1));
            }
            prev = a[k];
        }
        model.SetObjective(new[] { t }, new[] { -1.0 }, 0);
    }

    int Row(double lo, double hi, (int Column, double Coefficient) first, (int Column, double Coefficient) second)
    {
        model.AddRow(lo, hi, new[] { first.Column, second.Column }, new[] { first.Coefficient, second.Coefficient });
        return model.RowCount - 1;
    }

    /// <summary>
    /// Checks the pattern (+1 active, −1 inactive per neuron; 0 free, relaxed by its triangle, which can only show
    /// unreachability) with the domain's pre-activation bounds.
    /// </summary>
    public PatternReach Check((double[] L, double[] U)[] forward, sbyte[][] pattern, double timeLimitSeconds = 10)
    {
        // GLOP's "infeasible" rests on its tolerances: it is only believed when an LP with 1000x wider slack on every
        // pre-activation bound (a superset of the first) is infeasible too.
        var (reach, infeasible) = Solve(forward, pattern, timeLimitSeconds, Slack);
        return infeasible ? Solve(forward, pattern, timeLimitSeconds, 1000 * Slack).Reach : reach;
    }

    (PatternReach Reach, bool Infeasible) Solve((double[] L, double[] U)[] forward, sbyte[][] pattern, double timeLimitSeconds, double slack)
    {
        double scale = 1;
        foreach (var (l, u) in forward) foreach (var v in l.Concat(u)) scale = Math.Max(scale, Math.Abs(v));
        model.SetColumnBounds(t, -2 * scale - 1, 1);
        bool free = false;
        const double Inf = double.PositiveInfinity;
        for (int k = 0; k < z.Length; k++)
            for (int i = 0; i < z[k].Length; i++)
            {
                double l = forward[k].L[i], u = forward[k].U[i];
                double e = slack * (1 + Math.Abs(l) + Math.Abs(u));
                double zl = Math.Min(l, u) - e, zu = Math.Max(l, u) + e;
                model.SetColumnBounds(z[k][i], zl, zu);
                sbyte s = pattern[k][i];
                if (s == 0)
                {
                    model.SetColumnBounds(a[k][i], 0, Math.Max(0, u) + e);
                    model.SetRowBounds(link[k][i], 0, Inf);
                    model.SetRowBounds(above[k][i], -Inf, Inf);
                    model.SetRowBounds(below[k][i], -Inf, Inf);
                    if (u > l)
                    {
                        model.SetCoefficient(triangle[k][i], a[k][i], u - l);
                        model.SetCoefficient(triangle[k][i], z[k][i], -u);
                        model.SetRowBounds(triangle[k][i], -Inf, -u * l + e * (u - l));
                    }
                    else model.SetRowBounds(triangle[k][i], -Inf, Inf);
                    free = true;
                }
                else if (s > 0)
                {
                    model.SetColumnBounds(a[k][i], Math.Min(0, zl), Math.Max(0, zu));
                    model.SetRowBounds(link[k][i], 0, 0);
                    model.SetRowBounds(above[k][i], 0, Inf);
                    model.SetRowBounds(below[k][i], -Inf, Inf);
                    model.SetRowBounds(triangle[k][i], -Inf, Inf);
                }
                else
                {
                    model.SetColumnBounds(a[k][i], 0, 0);
                    model.SetRowBounds(link[k][i], -Inf, Inf);
                    model.SetRowBounds(above[k][i], -Inf, Inf);
                    model.SetRowBounds(below[k][i], -Inf, 0);
                    model.SetRowBounds(triangle[k][i], -Inf, Inf);
                }
            }
        var status = model.Solve(new SolveSettings(ScipSettings.Milliseconds(timeLimitSeconds), NoPreprocessing, WantDuals: true)).Status;
        if (status == SolveStatus.Infeasible) return (PatternReach.Unreachable, true);
        if (status != SolveStatus.Optimal) return (PatternReach.Boundary, false);
        double tUpper = -LagrangianBound.Of(model);
        if (!double.IsNaN(tUpper) && tUpper < 0) return (PatternReach.Unreachable, false);
        return (!free && model.Value(t) > InteriorMargin ? PatternReach.Interior : PatternReach.Boundary, false);
    }

    /// <inheritdoc />
    public void Dispose() => model.Dispose();
}
