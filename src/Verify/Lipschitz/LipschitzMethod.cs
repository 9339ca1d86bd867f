namespace Verify.Lipschitz;

/// <summary>A method bounding the local Lipschitz constant.</summary>
public enum LipschitzMethod
{
    /// <summary>Product of the layers' ∞-norms (global).</summary>
    Naive,
    /// <summary>Interval arithmetic on the Jacobian graph.</summary>
    Ibp,
    /// <summary>RecurJac-style back-substitution (unstable products as constant intervals).</summary>
    RecurJac,
    /// <summary>CROWN on the Jacobian graph (convex hull of each product).</summary>
    Crown,
    /// <summary>CROWN on the Jacobian graph with branch-and-bound on the unstable ReLUs.</summary>
    Bab,
    /// <summary>The exact MILP (LipMIP encoding) in SCIP.</summary>
    Mip,
}
