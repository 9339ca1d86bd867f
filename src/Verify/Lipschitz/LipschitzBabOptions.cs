namespace Verify.Lipschitz;

/// <summary>Options of the Lipschitz branch-and-bound.</summary>
/// <param name="TimeLimitSeconds">Wall-clock limit for one output.</param>
/// <param name="BatchSize">Domains split per iteration (their 2× children are bounded in one batch).</param>
/// <param name="MaxDomains">Open domains kept at most; beyond it the search stops with its current bound.</param>
/// <param name="LpFilterDepth">
/// Internal domains with at least this many splits are checked for reachability by an LP (0: only fully split ones).
/// </param>
public sealed record LipschitzBabOptions(double TimeLimitSeconds = 60, int BatchSize = 32, int MaxDomains = 200_000, int LpFilterDepth = 2)
{
    /// <summary>
    /// Memory limit in bytes: the search stops with its current bound instead of growing its store when resident memory
    /// plus the next round's children would pass it; by default <see cref="Branching.MemoryUse.DefaultShare"/> of
    /// physical memory.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = Branching.MemoryUse.DefaultLimitBytes();
}
