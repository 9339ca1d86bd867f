using Verify.SolverHost;
using Verify.Graph;
using Verify.Solvers;

namespace Verify.Lipschitz;

/// <summary>Outcome of one output's MILP.</summary>
/// <param name="Upper">The solver's proven upper bound of max ‖∇f_j‖₁ (the exact value when <paramref name="Exact"/>).</param>
/// <param name="Value">Objective of the best solution found (−∞ when none).</param>
/// <param name="Exact">True when SCIP proved optimality.</param>
public sealed record LipschitzMipResult(double Upper, double Value, bool Exact);

/// <summary>
/// The exact local Lipschitz constant of one output of a ReLU network by a MILP (the LipMIP encoding of Jordan and
/// Dimakis 2020), solved by SCIP: the forward network by the shared big-M encoding (<see cref="NetworkEncoder"/>, one
/// binary δ per unstable neuron), the backward switch
/// y = δ·g linearised with the same binaries and the bounds of g, and Σ|g₀| with one sign binary per sign-mixed entry.
/// All big-M constants come from sound bounds: the forward CROWN bounds and the Jacobian-graph bounds.
/// </summary>
public static class LipschitzMip
{
    /// <summary>Relative widening of every bound used as a big-M constant (rounding of the bound computations).</summary>
    const double Widen = 1e-9;

    /// <summary>
    /// Maximises ‖∇f_j(x)‖₁ over the box. <paramref name="forward"/>: pre-activation bounds per hidden layer;
    /// <paramref name="hidden"/>: bounds of g per hidden layer and <paramref name="inputGradient"/> of ∇f_j, all for output j.
    /// </summary>
    public static LipschitzMipResult Solve(LipschitzNetwork net, double[] lower, double[] upper, (double[] L, double[] U)[] forward,
        (double[] L, double[] U)[] hidden, (double[] L, double[] U) inputGradient, int output, double timeLimitSeconds)
    {
        if (!net.HasZeroOneSlopes) throw new VerifyException("the MILP applies to ReLU networks only");
        var layers = net.Dense.Layers;
        int h = net.HiddenLayers;
        using var model = new LinearModel("SCIP");
        var (delta, status) = EncodeForward(model, net, lower, upper, forward);

        // Backward: g_{H−1} = W_L[j,:] (fixed columns), y_k = δ_k·g_k, g_{k−1} = W_kᵀ y_k.
        var top = layers[h].Weight;
        int width = layers[h].Inputs;
        var g = Enumerable.Range(0, width).Select(i => model.AddColumn(top[output, i], top[output, i])).ToArray();
        for (int k = h - 1; k >= 0; k--)
        {
            int n = layers[k].Outputs;
            var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                if (status[k][i] == 1) { y[i] = g[i]; continue; }
                if (status[k][i] == -1) { y[i] = -1; continue; }
                var (gl, gu) = Wide(hidden[k].L[i], hidden[k].U[i]);
                int d = delta[k][i];
                int yi = model.AddColumn(Math.Min(0, gl), Math.Max(0, gu));
                model.AddRow(double.NegativeInfinity, 0, new[] { yi, d }, new[] { 1.0, -gu });
                model.AddRow(0, double.PositiveInfinity, new[] { yi, d }, new[] { 1.0, -gl });
                model.AddRow(double.NegativeInfinity, -gl, new[] { yi, g[i], d }, new[] { 1.0, -1.0, -gl });
                model.AddRow(-gu, double.PositiveInfinity, new[] { yi, g[i], d }, new[] { 1.0, -1.0, -gu });
                y[i] = yi;
            }
            var w = layers[k].Weight;
            int inputs = layers[k].Inputs;
            var below = k == 0 ? inputGradient : hidden[k - 1];
            var gNext = new int[inputs];
            for (int p = 0; p < inputs; p++)
            {
                var (gl, gu) = Wide(below.L[p], below.U[p]);
                int col = model.AddColumn(gl, gu);
                var cols = new List<int> { col };
                var coefs = new List<double> { 1 };
                for (int i = 0; i < n; i++)
                    if (y[i] >= 0 && w[i, p] != 0) { cols.Add(y[i]); coefs.Add(-w[i, p]); }
                model.AddRow(0, 0, cols, coefs);
                gNext[p] = col;
            }
            g = gNext;
        }

        // Σ|g₀|: exact for sign-stable entries, one sign binary otherwise.
        var terms = new List<int>();
        for (int p = 0; p < g.Length; p++)
        {
            var (gl, gu) = Wide(inputGradient.L[p], inputGradient.U[p]);
            double m = Math.Max(Math.Abs(gl), Math.Abs(gu));
            int t = model.AddColumn(0, m);
            if (inputGradient.L[p] >= 0) model.AddRow(0, 0, new[] { t, g[p] }, new[] { 1.0, -1.0 });
            else if (inputGradient.U[p] <= 0) model.AddRow(0, 0, new[] { t, g[p] }, new[] { 1.0, 1.0 });
            else
            {
                int s = model.AddColumn(0, 1, integer: true);
                model.AddRow(0, double.PositiveInfinity, new[] { t, g[p] }, new[] { 1.0, -1.0 });
                model.AddRow(0, double.PositiveInfinity, new[] { t, g[p] }, new[] { 1.0, 1.0 });
                model.AddRow(double.NegativeInfinity, 2 * m, new[] { t, g[p], s }, new[] { 1.0, -1.0, 2 * m });
                model.AddRow(double.NegativeInfinity, 0, new[] { t, g[p], s }, new[] { 1.0, 1.0, -2 * m });
            }
            terms.Add(t);
        }
        model.SetObjective(terms, terms.Select(_ => -1.0).ToArray(), 0);
        var reply = ScipSettings.SolveWithRetry(model, timeLimitSeconds);
        var result = reply.Status;
        bool found = reply.HasPoint;
        double value = found ? -reply.Objective : double.NegativeInfinity;
        if (result == SolveStatus.Optimal && found) return new LipschitzMipResult(Math.Max(value, -reply.BestBound), value, true);
        // SCIP's dual bound is meaningful only once it has searched (FEASIBLE); stopped earlier (NOT_SOLVED), OR-Tools
        // reports 0. Without a proven bound the sum of the entries' magnitudes is still sound.
        double bound = result == SolveStatus.Feasible && found ? -reply.BestBound : double.PositiveInfinity;
        if (bound < value) bound = double.PositiveInfinity; // an inconsistent dual bound is not trusted
        double fallback = inputGradient.L.Zip(inputGradient.U, (l, u) => Math.Max(Math.Abs(l), Math.Abs(u))).Sum();
        double upperBound = double.IsFinite(bound) ? Math.Min(bound, fallback) : fallback;
        return new LipschitzMipResult(Math.Max(upperBound, value), value, false);
    }

    /// <summary>
    /// Encodes the forward network over the box with the given pre-activation bounds; per hidden layer, each neuron's
    /// binary (−1 where stable) and phase (+1 active, −1 inactive, 0 unstable) as the encoding decided them.
    /// </summary>
    static (int[][] Delta, int[][] Status) EncodeForward(LinearModel model, LipschitzNetwork net, double[] lower, double[] upper,
        (double[] L, double[] U)[] forward)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        int h = net.HiddenLayers;
        // The dense network's own graph: x, then fc_k (pre-activation k) and act_k for each hidden layer, then the output.
        var graph = LipschitzNetwork.ToGraph(net.Dense);
        var bounds = new IntervalBounds[graph.OutputIndex + 1];
        static TorchSharp.torch.Tensor Row(double[] v) => TorchSharp.torch.tensor(v, dtype: TorchSharp.torch.ScalarType.Float64).reshape(1, -1);
        bounds[0] = new IntervalBounds(Row(lower), Row(upper));
        for (int k = 0; k < h; k++)
        {
            bounds[2 * k + 1] = new IntervalBounds(Row(forward[k].L), Row(forward[k].U));
            bounds[2 * k + 2] = graph.Nodes[2 * k + 2].Op.Interval(new[] { bounds[2 * k + 1] });
        }
        bounds[^1] = graph.Nodes[^1].Op.Interval(new[] { bounds[^2] });
        var encoder = new NetworkEncoder(model, graph, lower, upper, bounds, 0, BigMActivation.Instance, Widen);
        encoder.EncodeThrough(2 * h);
        var delta = new int[h][];
        var status = new int[h][];
        for (int k = 0; k < h; k++)
        {
            delta[k] = encoder.Binaries(2 * k + 2)!;
            status[k] = Enumerable.Range(0, delta[k].Length).Select(i => encoder.Phase(2 * k + 2, i)).ToArray();
        }
        return (delta, status);
    }

    static (double L, double U) Wide(double l, double u)
    {
        double e = Widen * (1 + Math.Max(Math.Abs(l), Math.Abs(u)));
        return (l - e, u + e);
    }
}
