namespace Verify.Cli.Commands;

/// <summary>The process's peak resident memory.</summary>
public static class PeakRss
{
    /// <summary>Peak resident set size in MiB (VmHWM on Linux; the peak working set elsewhere).</summary>
    public static double MiB()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
            foreach (var line in File.ReadLines(status))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Current resident set size in MiB (the engine's <see cref="Verify.Branching.MemoryUse.ResidentBytes"/>).</summary>
    public static double CurrentMiB() => Verify.Branching.MemoryUse.ResidentBytes() / (1024.0 * 1024.0);
}
