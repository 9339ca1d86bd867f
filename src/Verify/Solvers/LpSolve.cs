using Verify.SolverHost;

namespace Verify.Solvers;

/// <summary>Solves a <see cref="LinearModel"/> LP for a sound lower bound of its minimum.</summary>
internal static class LpSolve
{
    /// <summary>OR-Tools solver id of a backend.</summary>
    public static string SolverId(LpBackend backend) => backend == LpBackend.Pdlp ? "PDLP" : "GLOP";

    /// <summary>
    /// The model's minimum as a sound lower bound (<see cref="LagrangianBound"/> of the solver's duals) when the solver
    /// reports an optimal solution within the time limit; otherwise negative infinity and false.
    /// </summary>
    public static (double Value, bool Optimal) LowerBound(LinearModel model, LpBackend backend, double timeLimitSeconds)
    {
        if (!(timeLimitSeconds > 0)) return (double.NegativeInfinity, false);
        // Without presolve GLOP can keep its basis between solves that change only the objective (slightly faster
        // on MNIST-sized relaxations, whose stable neurons the encoder already leaves out).
        var settings = new SolveSettings(ScipSettings.Milliseconds(timeLimitSeconds), PresolveOff: backend == LpBackend.Glop, WantDuals: true);
        if (model.Solve(settings).Status != SolveStatus.Optimal) return (double.NegativeInfinity, false);
        double bound = LagrangianBound.Of(model);
        return double.IsNaN(bound) ? (double.NegativeInfinity, false) : (bound, true);
    }
}
