namespace Verify.Lipschitz;

/// <summary>How the Jacobian graph is bounded.</summary>
public enum JacobianMethod
{
    /// <summary>Interval arithmetic through the Jacobian graph.</summary>
    Ibp,
    /// <summary>Back-substitution with unstable products as constant intervals (RecurJac-style).</summary>
    RecurJac,
    /// <summary>Back-substitution with the convex-hull lines of each product (CROWN on the Jacobian graph).</summary>
    Crown,
}
