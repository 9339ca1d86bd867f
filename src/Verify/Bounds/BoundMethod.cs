namespace Verify.Bounds;

/// <summary>How bounds are computed.</summary>
public enum BoundMethod
{
    /// <summary>Interval bound propagation.</summary>
    Ibp,
    /// <summary>CROWN backward linear relaxation.</summary>
    Crown,
}
