using System.Diagnostics;
using TorchSharp;
using Verify.SolverHost;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>
/// The robust hinge program with the l1 regulariser written as a linear program and solved by OR-Tools (GLOP or PDLP)
/// through the engine's <c>LinearModel</c>, so in a solver worker process unless VERIFY_SOLVER_ISOLATION=inprocess:
/// <code>
///   min (1/n) Σ t_n + beta Σ q_jk
///   t_n >= 0,  t_n + y_n f_n - eps Σ_k r_nk >= 1,  r_nk >= ±g_nk,
///   (2 D_nj - 1)(x_n·w_j + b_j) - eps Σ_k q_jk >= 0,  q_jk >= ±W_jk.
/// </code>
/// Columns N·d + N + n + n·d + N·d, rows n + 2n·d + nN + 2N·d and about n·d·(3N + 3) non-zeros: sized for small problems (tests, the
/// measured sizes in docs/benchmarks.md), not for MNIST.
/// </summary>
public static class LpSolver
{
    /// <summary>The largest problem accepted (non-zeros of the constraint matrix), so a mistaken call cannot exhaust memory.</summary>
    public const long MaxEntries = 20_000_000;

    /// <summary>Solves with <paramref name="solverId"/> ("GLOP" or "PDLP") within <paramref name="seconds"/>.</summary>
    public static ConvexSolution Solve(ConvexData data, ActivationPatterns p, ConvexOptions options, string solverId = "GLOP", double seconds = 60)
    {
        if (options.Loss != ConvexLoss.Hinge || options.Regularizer != ConvexRegularizer.L1)
            throw new VerifyException("the LP form needs the hinge loss and the l1 regulariser");
        var watch = Stopwatch.StartNew();
        int n = (int)data.Count, d = (int)data.Features, m = (int)p.Neurons;
        double[] x = data.X.to(ScalarType.Float64).cpu().data<double>().ToArray();
        double[] y = data.Y.to(ScalarType.Float64).cpu().data<double>().ToArray();
        double[] dm = p.D.to(ScalarType.Float64).cpu().data<double>().ToArray();
        double[] s = p.Signs.to(ScalarType.Float64).cpu().data<double>().ToArray();
        // Non-zeros: hinge rows, the |g| rows, the pattern rows, the |W| rows.
        long entries = (long)n * (m * d + d + 1 + m) + 2L * n * d * (m + 1) + (long)n * m * (2 * d + 1) + 4L * m * d;
        if (entries > MaxEntries) throw new VerifyException($"the LP is too large ({n} samples, {d} features, {m} neurons); use the first-order solver");
        int W(int j, int k) => j * d + k;
        int B(int j) => m * d + j;
        int T(int i) => m * d + m + i;
        int R(int i, int k) => m * d + m + n + i * d + k;
        int Q(int j, int k) => m * d + m + n + n * d + j * d + k;
        int columns = m * d + m + n + n * d + m * d;
        var lower = new double[columns];
        var upper = Enumerable.Repeat(double.PositiveInfinity, columns).ToArray();
        for (int c = 0; c < m * d + m; c++) lower[c] = double.NegativeInfinity;
        var rowLower = new List<double>();
        var rowCols = new List<int[]>();
        var rowCoefs = new List<double[]>();
        void Row(double lo, List<int> cols, List<double> coefs) { rowLower.Add(lo); rowCols.Add(cols.ToArray()); rowCoefs.Add(coefs.ToArray()); }
        for (int i = 0; i < n; i++)
        {
            var cols = new List<int> { T(i) };
            var coefs = new List<double> { 1 };
            for (int j = 0; j < m; j++)
            {
                double a = y[i] * s[j] * dm[i * m + j];
                if (a == 0) continue;
                for (int k = 0; k < d; k++) if (x[i * d + k] != 0) { cols.Add(W(j, k)); coefs.Add(a * x[i * d + k]); }
                cols.Add(B(j)); coefs.Add(a);
            }
            for (int k = 0; k < d; k++) { cols.Add(R(i, k)); coefs.Add(-options.Eps); }
            Row(1, cols, coefs);
            for (int k = 0; k < d; k++)
                for (int sign = -1; sign <= 1; sign += 2)
                {
                    var c2 = new List<int> { R(i, k) };
                    var k2 = new List<double> { 1 };
                    for (int j = 0; j < m; j++)
                        if (dm[i * m + j] != 0) { c2.Add(W(j, k)); k2.Add(sign * s[j]); }
                    Row(0, c2, k2);
                }
            for (int j = 0; j < m; j++)
            {
                double e = 2 * dm[i * m + j] - 1;
                var c3 = new List<int>();
                var k3 = new List<double>();
                for (int k = 0; k < d; k++) if (x[i * d + k] != 0) { c3.Add(W(j, k)); k3.Add(e * x[i * d + k]); }
                c3.Add(B(j)); k3.Add(e);
                for (int k = 0; k < d; k++) { c3.Add(Q(j, k)); k3.Add(-options.Eps); }
                Row(0, c3, k3);
            }
        }
        for (int j = 0; j < m; j++)
            for (int k = 0; k < d; k++)
            {
                Row(0, new List<int> { Q(j, k), W(j, k) }, new List<double> { 1, -1 });
                Row(0, new List<int> { Q(j, k), W(j, k) }, new List<double> { 1, 1 });
            }
        var objCols = new List<int>();
        var objCoefs = new List<double>();
        for (int i = 0; i < n; i++) { objCols.Add(T(i)); objCoefs.Add(1.0 / n); }
        if (options.Beta != 0)
            for (int j = 0; j < m; j++) for (int k = 0; k < d; k++) { objCols.Add(Q(j, k)); objCoefs.Add(options.Beta); }
        // The engine's model: solved in a solver worker (or in process, VERIFY_SOLVER_ISOLATION=inprocess).
        using var model = new Verify.Solvers.LinearModel(solverId);
        for (int c = 0; c < columns; c++) model.AddColumn(lower[c], upper[c]);
        for (int r = 0; r < rowLower.Count; r++) model.AddRow(rowLower[r], double.PositiveInfinity, rowCols[r], rowCoefs[r]);
        model.SetObjective(objCols, objCoefs, 0);
        var reply = model.Solve(new SolveSettings((long)Math.Max(1, seconds * 1000)));
        if (reply.Status != SolveStatus.Optimal || !reply.HasPoint)
            throw new VerifyException($"{solverId} did not solve the convex program: {reply.Status} {reply.Message}");
        var wv = torch.tensor(reply.Values[..(m * d)], dtype: ScalarType.Float64).reshape(m, d).to(data.X.dtype, data.X.device);
        var bv = torch.tensor(reply.Values[(m * d)..(m * d + m)], dtype: ScalarType.Float64).to(data.X.dtype, data.X.device);
        return new ConvexSolution(wv, bv, p, ConvexProgram.Objective(data, p, wv, bv, options), ConvexProgram.Gap(data, p, wv, bv, options),
            solverId, watch.Elapsed.TotalSeconds);
    }
}
