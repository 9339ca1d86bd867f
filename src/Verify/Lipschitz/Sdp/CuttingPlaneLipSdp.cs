using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// Kelley's cutting-plane method on LipSDP: solve the LP relaxation (<see cref="CutLp"/>), take the eigenvectors of
/// M(ρ, λ) with positive eigenvalues at the LP point as new cuts, plus the supporting cuts of the Schur bound at the
/// LP multipliers, and repeat. LP values rise to the optimum from below; the Schur bounds at the LP points give the
/// feasible side.
/// </summary>
internal static class CuttingPlaneLipSdp
{
    const int CutsPerRound = 8;

    /// <summary>The outcome: best feasible ρ(λ) met and its group multipliers, the last LP value, the rounds.</summary>
    public sealed record Outcome(double Rho, double[] Groups, double LowerRho, int Iterations);

    /// <summary>Runs the rounds from a feasible start until the relative gap on √ρ is within the tolerance or a limit.</summary>
    public static Outcome Minimize(LipSdpProblem problem, double[] startGroups, LipSdpOptions options, Stopwatch clock)
    {
        using var lp = new CutLp(problem);
        var best = (Rho: double.PositiveInfinity, Groups: startGroups);
        void Consider(double[] groups)
        {
            var schur = SchurBound.Compute(problem, problem.Expand(groups), CutsPerRound);
            foreach (var z in schur.Vectors) lp.Add(z);
            if (schur.Feasible && schur.Rho < best.Rho) best = (schur.Rho, groups);
        }
        Consider(startGroups);
        int lastStart = problem.Offsets[^2];
        for (int i = lastStart; i < problem.Hidden; i++)
        {
            var e = Vector<double>.Build.Dense(problem.Dimension);
            e[problem.InputSize + i] = 1;
            lp.Add(e);
        }
        double lower = 0;
        int rounds = 0;
        while (rounds < options.MaxIterations)
        {
            double remaining = options.TimeLimitSeconds - clock.Elapsed.TotalSeconds;
            if (remaining <= 0) break;
            var solution = lp.Solve(remaining);
            if (solution is null) break;
            rounds++;
            var (rho, groups) = solution.Value;
            lower = Math.Max(lower, rho);
            if (Gap(best.Rho, lower) <= options.Tolerance) break;
            var m = problem.Matrix(rho, problem.Expand(groups));
            var evd = m.Evd(Symmetricity.Symmetric);
            double allowance = 1e-12 * m.FrobeniusNorm();
            int added = 0;
            foreach (int j in SchurBound.Descending(evd))
            {
                if (added >= CutsPerRound || evd.EigenValues[j].Real <= allowance) break;
                lp.Add(evd.EigenVectors.Column(j));
                added++;
            }
            Consider(groups);
            if (added == 0) break; // the LP point is feasible up to round-off: LP value = optimum
        }
        return new Outcome(best.Rho, best.Groups, lower, rounds);
    }

    /// <summary>Relative gap between √upper and √lower.</summary>
    public static double Gap(double upperRho, double lowerRho) =>
        double.IsFinite(upperRho) && upperRho > 0 ? (Math.Sqrt(upperRho) - Math.Sqrt(Math.Max(lowerRho, 0))) / Math.Sqrt(upperRho) : double.PositiveInfinity;
}
