using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// Bisection on ρ with a feasibility descent at each trial: minimise the largest eigenvalue of M(ρ, λ) over log-multipliers
/// (backtracking gradient steps on θ = log λ on a log-sum-exp smoothing of the top eigenvalues, the smoothing shrunk
/// when a step fails; the gradient of an eigenvalue is the terms of its eigenvector) until it is negative. Needed
/// when a pair layer comes first: its block of M does not couple to the input, so the Schur bound ρ(λ) does not depend
/// on the deeper multipliers and the descent on it stalls at the boundary N(λ) ⪯ 0. Every answer is re-certified.
/// </summary>
internal static class FeasibilityLipSdp
{
    const int Bisections = 24;
    const int Steps = 150;
    const int TopEigenvalues = 6;

    /// <summary>Group multipliers with a smaller feasible ρ than <paramref name="rho"/>, or the given ones.</summary>
    /// <paramref name="lowerRho"/> is a lower bound of the optimum (the cutting-plane LP's), where the bisection starts.
    public static double[] Improve(LipSdpProblem problem, double[] groups, double rho, double lowerRho, LipSdpOptions options, Stopwatch clock)
    {
        double hi = rho, lo = Math.Max(0, Math.Min(lowerRho, rho));
        var best = groups.ToArray();
        for (int b = 0; b < Bisections && Remaining() > 0; b++)
        {
            double mid = lo <= 0 ? hi * 0.5 : Math.Sqrt(lo * hi);
            if (CuttingPlaneLipSdp.Gap(hi, lo) <= options.Tolerance) break;
            var found = Feasible(problem, mid, best);
            if (found is null) lo = mid;
            else { hi = mid; best = found; }
        }
        return best;

        double Remaining() => options.TimeLimitSeconds - clock.Elapsed.TotalSeconds;

        double[]? Feasible(LipSdpProblem p, double target, double[] start)
        {
            var theta = start.Select(g => Math.Log(Math.Max(g, 1e-300))).ToArray();
            (double Smooth, double Top, double[] Grad, double Scale) Evaluate(double[] th, double mu)
            {
                var lambda = p.Expand(th.Select(Math.Exp).ToArray());
                var m = p.Matrix(target, lambda);
                var evd = m.Evd(Symmetricity.Symmetric);
                var order = SchurBound.Descending(evd);
                double top = evd.EigenValues[order[0]].Real;
                var grad = new double[p.GroupCount];
                double sum = 0;
                var weights = new double[Math.Min(TopEigenvalues, order.Length)];
                for (int j = 0; j < weights.Length; j++) sum += weights[j] = Math.Exp((evd.EigenValues[order[j]].Real - top) / mu);
                for (int j = 0; j < weights.Length; j++)
                {
                    double w = weights[j] / sum;
                    if (w < 1e-12) continue;
                    var per = p.Terms(evd.EigenVectors.Column(order[j])).PerNeuron;
                    for (int i = 0; i < per.Length; i++) grad[p.Group[i]] += w * per[i] * lambda[i];
                }
                return (top + mu * Math.Log(sum), top, grad, m.FrobeniusNorm());
            }
            var first = Evaluate(theta, 1);
            double mu = 1e-2 * first.Scale;
            var e = Evaluate(theta, mu);
            int steps = 0;
            while (steps < Steps && Remaining() > 0)
            {
                if (e.Top < -1e-9 * e.Scale) return theta.Select(Math.Exp).ToArray();
                steps++;
                double norm = Math.Sqrt(e.Grad.Sum(g => g * g));
                if (!(norm > 0)) return null;
                double t = 1 / norm;
                bool moved = false;
                for (int ls = 0; ls < 30; ls++, t *= 0.5)
                {
                    var trial = theta.Select((th, g) => th - t * e.Grad[g]).ToArray();
                    var te = Evaluate(trial, mu);
                    if (te.Smooth <= e.Smooth - 1e-4 * t * norm * norm) { theta = trial; e = te; moved = true; break; }
                }
                if (!moved)
                {
                    if (mu < 1e-12 * e.Scale) return null;
                    mu *= 0.3;
                    e = Evaluate(theta, mu);
                }
            }
            return e.Top < -1e-9 * e.Scale ? theta.Select(Math.Exp).ToArray() : null;
        }
    }
}
