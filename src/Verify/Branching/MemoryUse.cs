namespace Verify.Branching;

/// <summary>The process's resident memory and the machine's physical memory, as the branch-and-bound memory guard sees them.</summary>
public static class MemoryUse
{
    /// <summary>Share of physical memory the branch-and-bound searches may use by default.</summary>
    public const double DefaultShare = 0.75;

    /// <summary>Bytes in a GiB.</summary>
    public const long GiB = 1L << 30;

    /// <summary>Resident set size of this process in bytes (/proc/self/statm on Linux, the working set elsewhere).</summary>
    public static long ResidentBytes()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && long.TryParse(fields[1], out var pages)) return pages * Environment.SystemPageSize;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Environment.WorkingSet;
    }

    /// <summary>Physical memory available to the process in bytes (the container's limit when there is one).</summary>
    public static long PhysicalBytes()
    {
        long gc = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (gc > 0) return gc;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                    && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kib))
                    return kib * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return long.MaxValue;
    }

    /// <summary>The default limit: <see cref="DefaultShare"/> of physical memory.</summary>
    public static long DefaultLimitBytes()
    {
        long physical = PhysicalBytes();
        return physical == long.MaxValue ? long.MaxValue : (long)(DefaultShare * physical);
    }
}
