namespace Verify.Solvers;

/// <summary>Which OR-Tools LP solver solves a relaxation.</summary>
public enum LpBackend
{
    /// <summary>GLOP, Google's primal/dual simplex (exact vertices, warm starts between objectives).</summary>
    Glop,
    /// <summary>PDLP, a first-order method for large LPs (approximate; the reported bound stays sound through the dual bound).</summary>
    Pdlp,
}
