namespace Verify.Solvers;

/// <summary>Options of the LP relaxation.</summary>
/// <param name="BatchIndex">Which batch entry of the given intermediate bounds belongs to the box.</param>
/// <param name="Backend">The LP solver.</param>
/// <param name="BoundSlack">Relative widening of every intermediate bound before it enters the LP.</param>
public sealed record LpOptions(int BatchIndex = 0, LpBackend Backend = LpBackend.Glop, double BoundSlack = NodeBoundArrays.DefaultSlack)
{
    /// <summary>GLOP on batch entry 0 with the default slack.</summary>
    public static LpOptions Default { get; } = new();
}
