using Google.OrTools.LinearSolver;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// The LP relaxation of LipSDP in GLOP: minimise ρ over ρ ≥ 0, λ ≥ 0 (per group) subject to cuts zᵀM(ρ, λ)z ≤ 0,
/// each linear in (ρ, λ). Every cut holds at every feasible point, so the LP optimum is a lower bound of the SDP
/// optimum (a relaxation, never a certificate).
/// </summary>
internal sealed class CutLp : IDisposable
{
    readonly LipSdpProblem problem;
    readonly Solver solver;
    readonly Variable rho;
    readonly Variable[] lambda;

    /// <summary>Creates the LP with no cuts.</summary>
    public CutLp(LipSdpProblem problem)
    {
        this.problem = problem;
        solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("GLOP is not available in OR-Tools");
        rho = solver.MakeNumVar(0, double.PositiveInfinity, "rho");
        lambda = Enumerable.Range(0, problem.GroupCount).Select(g => solver.MakeNumVar(0, double.PositiveInfinity, $"l{g}")).ToArray();
        solver.Objective().SetCoefficient(rho, 1);
        solver.Objective().SetMinimization();
    }

    /// <summary>Number of cuts added.</summary>
    public int Cuts { get; private set; }

    /// <summary>Adds the cut zᵀM(ρ, λ)z ≤ 0 (scaled to unit largest coefficient); skips an all-zero z.</summary>
    public void Add(Vector<double> z)
    {
        var (s, perNeuron, c) = problem.Terms(z);
        var a = problem.Collapse(perNeuron);
        double scale = Math.Max(s, a.Length == 0 ? 0 : a.Max(Math.Abs));
        if (!(scale > 0) || !double.IsFinite(scale) || !double.IsFinite(c)) return;
        var ct = solver.MakeConstraint(double.NegativeInfinity, -c / scale);
        ct.SetCoefficient(rho, -s / scale);
        for (int g = 0; g < a.Length; g++)
            if (a[g] != 0) ct.SetCoefficient(lambda[g], a[g] / scale);
        Cuts++;
    }

    /// <summary>Restricts the multipliers to a box (a trust region; the LP value is then no longer a lower bound).</summary>
    public void SetBox(double[] lower, double[] upper)
    {
        for (int g = 0; g < lambda.Length; g++) lambda[g].SetBounds(lower[g], upper[g]);
    }

    /// <summary>Removes the box: back to λ ≥ 0, whose LP value is a lower bound.</summary>
    public void ClearBox()
    {
        foreach (var v in lambda) v.SetBounds(0, double.PositiveInfinity);
    }

    /// <summary>Solves the LP: its optimal ρ and group multipliers, or null when GLOP does not report an optimum.</summary>
    public (double Rho, double[] Groups)? Solve(double timeLimitSeconds)
    {
        solver.SetTimeLimit((long)Math.Max(1, timeLimitSeconds * 1000));
        if (solver.Solve() != Solver.ResultStatus.OPTIMAL) return null;
        return (rho.SolutionValue(), lambda.Select(v => Math.Max(0, v.SolutionValue())).ToArray());
    }

    /// <inheritdoc />
    public void Dispose() => solver.Dispose();
}
