namespace Verify.SolverHost;

/// <summary>How a solve ended. The first seven mirror OR-Tools' result statuses; <see cref="Failed"/> is ours.</summary>
public enum SolveStatus
{
    /// <summary>Solved to optimality (within the requested gap).</summary>
    Optimal = 0,
    /// <summary>A feasible point was found, optimality not proved (a limit was reached).</summary>
    Feasible = 1,
    /// <summary>The model has no feasible point.</summary>
    Infeasible = 2,
    /// <summary>The objective is unbounded.</summary>
    Unbounded = 3,
    /// <summary>The solver reported an error (for SCIP: an error code from inside the solve).</summary>
    Abnormal = 4,
    /// <summary>The solver rejected the model.</summary>
    ModelInvalid = 5,
    /// <summary>A limit was reached (or the solve was cancelled) before any answer.</summary>
    NotSolved = 6,
    /// <summary>
    /// The solve gave no answer because the solver process died, hung past its limit, or the request could not be
    /// carried out. Like <see cref="Abnormal"/>, it carries no information about the model.
    /// </summary>
    Failed = 100,
}
