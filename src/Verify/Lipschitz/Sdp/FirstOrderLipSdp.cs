using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// The fast path: minimises the Schur-complement bound ρ(λ) = λ_max(P(λ)) over log-multipliers θ = log λ by L-BFGS
/// with backtracking, on the log-sum-exp smoothing of the top eigenvalues of P, with the smoothing shrunk in stages.
/// Points where N(λ) is not negative definite have value +∞ and are backtracked from.
/// </summary>
internal static class FirstOrderLipSdp
{
    const int TopEigenvalues = 8;
    const int Memory = 12;

    /// <summary>The outcome: the best exact ρ(λ) met, its group log-multipliers, the steps, and the vectors met (for cuts).</summary>
    public sealed record Outcome(double Rho, double[] LogGroups, int Iterations, List<Vector<double>> Vectors);

    /// <summary>Runs the descent from <paramref name="start"/> until the tolerance or the limits.</summary>
    public static Outcome Minimize(LipSdpProblem problem, double[] start, LipSdpOptions options, Stopwatch clock)
    {
        var vectors = new List<Vector<double>>();
        var theta = start.ToArray();
        var best = (Rho: double.PositiveInfinity, Theta: theta.ToArray());
        int iterations = 0;

        (double Value, double[] Gradient, double Rho) Evaluate(double[] th, double mu)
        {
            var groups = th.Select(Math.Exp).ToArray();
            var lambda = problem.Expand(groups);
            var schur = SchurBound.Compute(problem, lambda, TopEigenvalues);
            if (!schur.Feasible) return (double.PositiveInfinity, Array.Empty<double>(), double.PositiveInfinity);
            double top = schur.Values[0];
            int k = schur.Vectors.Length;
            var weights = new double[k];
            double sum = 0;
            for (int j = 0; j < k; j++) sum += weights[j] = Math.Exp((schur.Values[j] - top) / mu);
            var grad = new double[problem.GroupCount];
            for (int j = 0; j < k; j++)
            {
                double pj = weights[j] / sum;
                if (pj < 1e-14) continue;
                var per = problem.Terms(schur.Vectors[j]).PerNeuron;
                for (int i = 0; i < per.Length; i++) grad[problem.Group[i]] += pj * per[i] * lambda[i];
            }
            if (top < best.Rho) best = (top, th.ToArray());
            vectors.Add(schur.Vectors[0]);
            return (top + mu * Math.Log(sum), grad, top);
        }

        double initial = Evaluate(theta, 1).Rho;
        if (!double.IsFinite(initial)) return new Outcome(double.PositiveInfinity, theta, 0, vectors);
        for (double s = 1e-2; s >= 1e-8 && !OutOfBudget(); s *= 0.1)
        {
            double mu = s * best.Rho;
            theta = best.Theta.ToArray();
            var (f, g, _) = Evaluate(theta, mu);
            var sHist = new List<double[]>();
            var yHist = new List<double[]>();
            int stall = 0;
            while (!OutOfBudget())
            {
                iterations++;
                var d = Direction(g, sHist, yHist);
                double slope = Dot(d, g);
                if (slope >= 0) { d = g.Select(x => -x).ToArray(); slope = Dot(d, g); sHist.Clear(); yHist.Clear(); }
                double maxStep = d.Max(Math.Abs);
                double step = sHist.Count == 0 ? Math.Min(1, 0.5 / Math.Max(maxStep, 1e-300)) : 1;
                double[]? next = null;
                (double Value, double[] Gradient, double Rho) eval = (double.NaN, Array.Empty<double>(), double.NaN);
                for (int ls = 0; ls < 40; ls++)
                {
                    var trial = theta.Select((t, i) => t + step * d[i]).ToArray();
                    eval = Evaluate(trial, mu);
                    if (eval.Value <= f + 1e-4 * step * slope) { next = trial; break; }
                    step *= 0.5;
                }
                if (next is null) break;
                var sk = next.Select((t, i) => t - theta[i]).ToArray();
                var yk = eval.Gradient.Select((x, i) => x - g[i]).ToArray();
                if (Dot(sk, yk) > 1e-12 * Math.Sqrt(Dot(sk, sk) * Dot(yk, yk)))
                {
                    sHist.Add(sk); yHist.Add(yk);
                    if (sHist.Count > Memory) { sHist.RemoveAt(0); yHist.RemoveAt(0); }
                }
                double decrease = f - eval.Value;
                theta = next; f = eval.Value; g = eval.Gradient;
                stall = decrease <= options.Tolerance * 1e-2 * Math.Abs(f) ? stall + 1 : 0;
                if (stall >= 5) break;
            }
        }
        return new Outcome(best.Rho, best.Theta, iterations, vectors);

        bool OutOfBudget() => iterations >= options.MaxIterations || clock.Elapsed.TotalSeconds >= options.TimeLimitSeconds;
    }

    static double[] Direction(double[] g, List<double[]> s, List<double[]> y)
    {
        var q = g.ToArray();
        int m = s.Count;
        var alpha = new double[m];
        for (int i = m - 1; i >= 0; i--)
        {
            alpha[i] = Dot(s[i], q) / Dot(y[i], s[i]);
            for (int j = 0; j < q.Length; j++) q[j] -= alpha[i] * y[i][j];
        }
        if (m > 0)
        {
            double gamma = Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]);
            for (int j = 0; j < q.Length; j++) q[j] *= gamma;
        }
        for (int i = 0; i < m; i++)
        {
            double beta = Dot(y[i], q) / Dot(y[i], s[i]);
            for (int j = 0; j < q.Length; j++) q[j] += (alpha[i] - beta) * s[i][j];
        }
        for (int j = 0; j < q.Length; j++) q[j] = -q[j];
        return q;
    }

    static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
