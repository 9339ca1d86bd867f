namespace Verify.Branching;

/// <summary>Whether a branch-and-bound step may grow its domain store within the memory limit.</summary>
public static class MemoryGuard
{
    /// <summary>The reason every refusal starts with.</summary>
    public const string Reason = "memory limit";

    /// <summary>
    /// Why resident memory plus <paramref name="growthBytes"/> would pass <paramref name="limitBytes"/> (a message
    /// starting with <see cref="Reason"/>), or null when the step fits.
    /// </summary>
    public static string? Refusal(long limitBytes, long growthBytes)
    {
        if (limitBytes == long.MaxValue) return null;
        long resident = MemoryUse.ResidentBytes();
        if (resident + growthBytes <= limitBytes) return null;
        // Freed heap pages count as resident until they are handed back: hand them back and measure again.
        RuntimeSetup.ReleaseFreedMemory();
        resident = MemoryUse.ResidentBytes();
        if (resident + growthBytes <= limitBytes) return null;
        return $"{Reason}: {MiB(resident)} MiB resident and about {MiB(growthBytes)} MiB more for the next step's domains would pass the limit of {MiB(limitBytes)} MiB";
    }

    /// <summary>
    /// Estimated bytes the next step adds to the store of <paramref name="pending"/> domains when it expands
    /// <paramref name="batch"/> of them into two children each: the store is copied twice (the rest, then the rest
    /// concatenated with the children) while the old one is still alive.
    /// </summary>
    public static long StoreGrowth(long pending, long batch, long bytesPerDomain) => 2 * (pending + batch) * bytesPerDomain;

    static long MiB(long bytes) => bytes / (1L << 20);
}
