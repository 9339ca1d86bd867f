namespace Verify.Lipschitz;

/// <summary>Whether a full ReLU activation pattern is reachable from the box.</summary>
public enum PatternReach
{
    /// <summary>No point of the box has this pattern (proven by a sound LP dual bound or infeasibility).</summary>
    Unreachable,
    /// <summary>Reachable only on the boundary z = 0 of some neuron, or undecided: the value is kept as an upper bound only.</summary>
    Boundary,
    /// <summary>Reachable with every pre-activation strictly signed: the gradient is attained on an open set.</summary>
    Interior,
}

/// <summary>
/// Decides a fully split branch-and-bound domain with GLOP: maximise the smallest signed margin t of the pattern
/// (z_i ≥ t for active, z_i ≤ −t for inactive neurons) over the box; t &lt; 0 (by the sound Lagrangian bound) means the
/// pattern is unreachable and the domain is dropped. One-off checks; a search re-uses one <see cref="PatternLp"/>.
/// </summary>
public static class LeafFeasibility
{
    /// <summary>
    /// Checks the pattern (+1 active, −1 inactive per neuron; 0 free, relaxed by its triangle, which can only show
    /// unreachability) with the domain's pre-activation bounds.
    /// </summary>
    public static PatternReach Check(LipschitzNetwork net, double[] lower, double[] upper, (double[] L, double[] U)[] forward,
        sbyte[][] pattern, double timeLimitSeconds = 10)
    {
        using var lp = new PatternLp(net, lower, upper);
        return lp.Check(forward, pattern, timeLimitSeconds);
    }
}
