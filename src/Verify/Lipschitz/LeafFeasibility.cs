using Google.OrTools.LinearSolver;
using Verify.Solvers;

namespace Verify.Lipschitz;

/// <summary>Whether a full ReLU activation pattern is reachable from the box.</summary>
public enum PatternReach
{
    /// <summary>No point of the box has this pattern (proven by a sound LP dual bound or infeasibility).</summary>
    Unreachable,
    /// <summary>Reachable only on the boundary z = 0 of some neuron, or undecided: the value is kept as an upper bound only.</summary>
    Boundary,
    /// <summary>Reachable with every pre-activation strictly signed: the gradient is attained on an open set.</summary>
    Interior,
}

/// <summary>
/// Decides a fully split branch-and-bound domain with GLOP: maximise the smallest signed margin t of the pattern
/// (z_i ≥ t for active, z_i ≤ −t for inactive neurons) over the box; t &lt; 0 (by the sound Lagrangian bound) means the
/// pattern is unreachable and the domain is dropped.
/// </summary>
public static class LeafFeasibility
{
    /// <summary>Margin above which a pattern counts as interior.</summary>
    const double InteriorMargin = 1e-5;

    /// <summary>
    /// Checks the pattern (+1 active, −1 inactive per neuron; 0 free, relaxed by its triangle, which can only show
    /// unreachability) with the domain's pre-activation bounds.
    /// </summary>
    public static PatternReach Check(LipschitzNetwork net, double[] lower, double[] upper, (double[] L, double[] U)[] forward,
        sbyte[][] pattern, double timeLimitSeconds = 10)
    {
        // GLOP's "infeasible" rests on its tolerances: it is only believed when an LP with 1000x wider slack on every
        // pre-activation bound (a superset of the first) is infeasible too.
        var (reach, infeasible) = Solve(net, lower, upper, forward, pattern, timeLimitSeconds, Slack);
        return infeasible ? Solve(net, lower, upper, forward, pattern, timeLimitSeconds, 1000 * Slack).Reach : reach;
    }

    /// <summary>Relative slack on the pre-activation bounds.</summary>
    const double Slack = 1e-9;

    /// <summary>The decision with the given slack, and whether GLOP reported the LP infeasible.</summary>
    static (PatternReach Reach, bool Infeasible) Solve(LipschitzNetwork net, double[] lower, double[] upper,
        (double[] L, double[] U)[] forward, sbyte[][] pattern, double timeLimitSeconds, double slack)
    {
        var layers = net.Dense.Layers;
        using var model = new LinearModel("GLOP");
        double scale = 1;
        foreach (var (l, u) in forward) foreach (var v in l.Concat(u)) scale = Math.Max(scale, Math.Abs(v));
        int t = model.AddColumn(-2 * scale - 1, 1);
        bool free = false;
        var prev = Enumerable.Range(0, lower.Length).Select(i => model.AddColumn(lower[i], upper[i])).ToArray();
        for (int k = 0; k < net.HiddenLayers; k++)
        {
            var w = layers[k].Weight;
            var next = new int[layers[k].Outputs];
            for (int i = 0; i < next.Length; i++)
            {
                double e = slack * (1 + Math.Abs(forward[k].L[i]) + Math.Abs(forward[k].U[i]));
                int z = model.AddColumn(Math.Min(forward[k].L[i], forward[k].U[i]) - e, Math.Max(forward[k].L[i], forward[k].U[i]) + e);
                var cols = new List<int> { z };
                var coefs = new List<double> { 1 };
                for (int p = 0; p < prev.Length; p++)
                    if (prev[p] >= 0 && w[i, p] != 0) { cols.Add(prev[p]); coefs.Add(-w[i, p]); }
                model.AddRow(layers[k].Bias[i], layers[k].Bias[i], cols, coefs);
                if (pattern[k][i] == 0)
                {
                    // A free ReLU: its triangle relaxation (sound for deciding unreachability only).
                    double l = forward[k].L[i], u = forward[k].U[i];
                    int a = model.AddColumn(0, Math.Max(0, u) + e);
                    model.AddRow(0, double.PositiveInfinity, new[] { a, z }, new[] { 1.0, -1.0 });
                    if (u > l) model.AddRow(double.NegativeInfinity, -u * l + e * (u - l), new[] { a, z }, new[] { u - l, -u });
                    free = true;
                    next[i] = a;
                }
                else if (pattern[k][i] > 0)
                {
                    model.AddRow(0, double.PositiveInfinity, new[] { z, t }, new[] { 1.0, -1.0 });
                    next[i] = z;
                }
                else
                {
                    model.AddRow(double.NegativeInfinity, 0, new[] { z, t }, new[] { 1.0, 1.0 });
                    next[i] = -1;
                }
            }
            prev = next;
        }
        model.SetObjective(new[] { t }, new[] { -1.0 }, 0);
        model.Solver.SetTimeLimit(Math.Max(1, (long)(timeLimitSeconds * 1000)));
        var status = model.Solver.Solve();
        if (status == Solver.ResultStatus.INFEASIBLE) return (PatternReach.Unreachable, true);
        if (status != Solver.ResultStatus.OPTIMAL) return (PatternReach.Boundary, false);
        double tUpper = -LagrangianBound.Of(model);
        if (!double.IsNaN(tUpper) && tUpper < 0) return (PatternReach.Unreachable, false);
        return (!free && model.Value(t) > InteriorMargin ? PatternReach.Interior : PatternReach.Boundary, false);
    }
}
