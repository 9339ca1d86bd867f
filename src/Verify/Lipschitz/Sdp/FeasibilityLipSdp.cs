using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// Bisection on ρ with a feasibility descent at each trial: minimise the largest eigenvalue of M(ρ, λ) over log-multipliers
/// (a subgradient step on θ = log λ, the gradient being the terms of the top eigenvector) until it is negative. Needed
/// when a pair layer comes first: its block of M does not couple to the input, so the Schur bound ρ(λ) does not depend
/// on the deeper multipliers and the descent on it stalls at the boundary N(λ) ⪯ 0. Every answer is re-certified.
/// </summary>
internal static class FeasibilityLipSdp
{
    const int Bisections = 24;
    const int Steps = 600;

    /// <summary>Group multipliers with a smaller feasible ρ than <paramref name="rho"/>, or the given ones.</summary>
    public static double[] Improve(LipSdpProblem problem, double[] groups, double rho, LipSdpOptions options, Stopwatch clock)
    {
        double hi = rho, lo = 0;
        var best = groups.ToArray();
        for (int b = 0; b < Bisections && Remaining() > 0; b++)
        {
            double mid = lo <= 0 ? hi * 0.5 : Math.Sqrt(lo * hi);
            if ((hi - mid) / hi < options.Tolerance * 0.1) break;
            var found = Feasible(problem, mid, best);
            if (found is null) lo = mid;
            else { hi = mid; best = found; }
        }
        return best;

        double Remaining() => options.TimeLimitSeconds - clock.Elapsed.TotalSeconds;

        double[]? Feasible(LipSdpProblem p, double target, double[] start)
        {
            var theta = start.Select(g => Math.Log(Math.Max(g, 1e-300))).ToArray();
            double step = 0.05;
            double previous = double.PositiveInfinity;
            for (int s = 0; s < Steps && Remaining() > 0; s++)
            {
                var lambda = p.Expand(theta.Select(Math.Exp).ToArray());
                var m = p.Matrix(target, lambda);
                var evd = m.Evd(Symmetricity.Symmetric);
                int top = SchurBound.Descending(evd)[0];
                double value = evd.EigenValues[top].Real;
                double scale = m.FrobeniusNorm();
                if (value < -1e-9 * scale) return theta.Select(Math.Exp).ToArray();
                var z = evd.EigenVectors.Column(top);
                var per = p.Terms(z).PerNeuron;
                var grad = new double[p.GroupCount];
                for (int i = 0; i < per.Length; i++) grad[p.Group[i]] += per[i] * lambda[i];
                double norm = grad.Max(Math.Abs);
                if (!(norm > 0)) return null;
                if (value > previous) step *= 0.8;
                previous = value;
                for (int g = 0; g < theta.Length; g++) theta[g] -= step * grad[g] / norm;
            }
            return null;
        }
    }
}
