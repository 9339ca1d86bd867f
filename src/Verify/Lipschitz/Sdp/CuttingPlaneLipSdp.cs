using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// Kelley's cutting-plane method on LipSDP, stabilised by a box step: each round solves the LP (<see cref="CutLp"/>)
/// with the multipliers kept in a box around the best point (log-width Δ), adds the eigenvectors of M(ρ, λ) with
/// positive eigenvalues at the LP point as cuts, plus the supporting cuts of the Schur bound at the LP multipliers,
/// and moves the centre when the Schur bound there improves. The LP without the box, solved every few rounds and at
/// the end, gives the lower bound.
/// </summary>
internal static class CuttingPlaneLipSdp
{
    const int CutsPerRound = 8;
    const int LowerEvery = 5;
    /// <summary>Box log-width factor after a null step, and its floor (shrinking to nothing stalls the lower bound).</summary>
    const double Shrink = 0.7, Floor = 1e-2;

    /// <summary>The outcome: best feasible ρ(λ) met and its group multipliers, the best LP lower bound, the rounds.</summary>
    public sealed record Outcome(double Rho, double[] Groups, double LowerRho, int Iterations);

    /// <summary>Runs the rounds from a feasible start until the relative gap on √ρ is within the tolerance or a limit.</summary>
    /// <paramref name="cuts"/> are vectors met before (e.g. by the descent), added as cuts up front.
    public static Outcome Minimize(LipSdpProblem problem, double[] startGroups, LipSdpOptions options, Stopwatch clock,
        IEnumerable<Vector<double>>? cuts = null)
    {
        using var lp = new CutLp(problem);
        foreach (var z in cuts ?? Enumerable.Empty<Vector<double>>()) lp.Add(z);
        var best = (Rho: double.PositiveInfinity, Groups: startGroups);
        double Consider(double[] groups)
        {
            var schur = SchurBound.Compute(problem, problem.Expand(groups), CutsPerRound);
            foreach (var z in schur.Vectors) lp.Add(z);
            if (schur.Feasible && schur.Rho < best.Rho) best = (schur.Rho, groups);
            return schur.Rho;
        }
        Consider(startGroups);
        int lastStart = problem.Offsets[^2];
        for (int i = lastStart; i < problem.Hidden; i++)
        {
            var e = Vector<double>.Build.Dense(problem.Dimension);
            e[problem.InputSize + i] = 1;
            lp.Add(e);
        }
        double lower = 0, delta = 1;
        int rounds = 0;
        double Remaining() => options.TimeLimitSeconds - clock.Elapsed.TotalSeconds;
        void UpdateLower()
        {
            lp.ClearBox();
            var free = lp.Solve(Math.Max(Remaining(), 0.1));
            if (free is not null) lower = Math.Max(lower, free.Value.Rho);
        }
        while (rounds < options.MaxIterations && Remaining() > 0)
        {
            if (rounds % LowerEvery == 0)
            {
                UpdateLower();
                if (Gap(best.Rho, lower) <= options.Tolerance) break;
            }
            var centre = best.Groups;
            lp.SetBox(centre.Select(c => c * Math.Exp(-delta)).ToArray(), centre.Select(c => c * Math.Exp(delta)).ToArray());
            var solution = lp.Solve(Remaining());
            if (solution is null) break;
            rounds++;
            var (rho, groups) = solution.Value;
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
            double previous = best.Rho;
            double value = Consider(groups);
            bool onEdge = groups.Select((g, i) => Math.Abs(Math.Log(Math.Max(g, 1e-300) / centre[i]))).Max() > 0.99 * delta;
            if (value < previous - 0.1 * (previous - rho)) { if (onEdge) delta = Math.Min(delta * 2, 8); }
            else delta = Math.Max(delta * Shrink, Floor);
            if (added == 0 && !onEdge) { UpdateLower(); break; } // feasible interior LP point: the box holds the optimum
        }
        UpdateLower();
        return new Outcome(best.Rho, best.Groups, lower, rounds);
    }

    /// <summary>Relative gap between √upper and √lower.</summary>
    public static double Gap(double upperRho, double lowerRho) =>
        double.IsFinite(upperRho) && upperRho > 0 ? (Math.Sqrt(upperRho) - Math.Sqrt(Math.Max(lowerRho, 0))) / Math.Sqrt(upperRho) : double.PositiveInfinity;
}
