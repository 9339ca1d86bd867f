namespace Verify.Branching;

/// <summary>
/// Whether a branch-and-bound step may run within the memory limit. Before each step it predicts the step's peak as
/// the resident memory now, plus the largest rise above its start that a step has shown so far (resident memory
/// sampled ten times a second while it runs: the bound pass's work tensors), plus the domain store's estimated
/// growth; a step whose prediction passes the limit is refused, so the search ends unknown instead of being killed.
/// </summary>
public sealed class MemoryGuard : IDisposable
{
    /// <summary>The reason every refusal starts with.</summary>
    public const string Reason = "memory limit";

    static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);

    readonly long limit;
    readonly Timer? sampler;
    long peak, stepStart, workspace;

    /// <summary>
    /// A guard for <paramref name="limitBytes"/> (long.MaxValue: no limit, nothing sampled) that expects at least
    /// <paramref name="workspaceBytes"/> of work memory per step (what an earlier search of the same problem showed).
    /// </summary>
    public MemoryGuard(long limitBytes, long workspaceBytes = 0)
    {
        limit = limitBytes;
        workspace = Math.Max(0, workspaceBytes);
        if (limit != long.MaxValue) sampler = new Timer(_ => Sample(), null, SampleEvery, SampleEvery);
    }

    /// <summary>The largest rise of resident memory above a step's start seen so far, in bytes.</summary>
    public long Workspace => workspace;

    /// <summary>Records the resident memory now as a candidate for the running step's peak.</summary>
    internal void Sample()
    {
        long now = MemoryUse.ResidentBytes(), seen;
        do
        {
            seen = Interlocked.Read(ref peak);
            if (now <= seen) return;
        } while (Interlocked.CompareExchange(ref peak, now, seen) != seen);
    }

    /// <summary>
    /// Called before each step with the store's estimated growth: null when the step fits (it then counts as started),
    /// else why not (a message starting with <see cref="Reason"/>).
    /// </summary>
    public string? BeforeStep(long growthBytes)
    {
        if (limit == long.MaxValue) return null;
        Sample();
        if (stepStart > 0) workspace = Math.Max(workspace, Interlocked.Read(ref peak) - stepStart);
        long resident = MemoryUse.ResidentBytes();
        if (resident + workspace + growthBytes > limit)
        {
            // Freed heap pages count as resident until they are handed back: hand them back and measure again.
            RuntimeSetup.ReleaseFreedMemory();
            resident = MemoryUse.ResidentBytes();
            if (resident + workspace + growthBytes > limit)
                return $"{Reason}: {MiB(resident)} MiB resident, about {MiB(workspace)} MiB for a step's work and {MiB(growthBytes)} MiB for the domains it adds would pass the limit of {MiB(limit)} MiB";
        }
        stepStart = resident;
        Interlocked.Exchange(ref peak, resident);
        return null;
    }

    /// <summary>
    /// Estimated bytes the next step adds to the store of <paramref name="pending"/> domains when it expands
    /// <paramref name="batch"/> of them into two children each: the store is copied twice (the rest, then the rest
    /// concatenated with the children) while the old one is still alive.
    /// </summary>
    public static long StoreGrowth(long pending, long batch, long bytesPerDomain) => 2 * (pending + batch) * bytesPerDomain;

    /// <summary>Stops sampling.</summary>
    public void Dispose() => sampler?.Dispose();

    static long MiB(long bytes) => bytes / (1L << 20);
}
