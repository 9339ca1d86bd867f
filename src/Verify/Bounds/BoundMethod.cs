namespace Verify.Bounds;

/// <summary>How bounds are computed.</summary>
public enum BoundMethod
{
    /// <summary>Interval bound propagation.</summary>
    Ibp,
    /// <summary>CROWN backward linear relaxation.</summary>
    Crown,
    /// <summary>CROWN with optimised relaxation slopes (alpha-CROWN); intermediate bounds by CROWN.</summary>
    AlphaCrown,
}
