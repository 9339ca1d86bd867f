using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Verify;

/// <summary>Process settings the native tensor runtime reads once, when it loads.</summary>
static class RuntimeSetup
{
    /// <summary>
    /// Makes OpenMP worker threads sleep instead of spinning while they wait (unless the user chose otherwise):
    /// spinning threads of small bound passes otherwise fight every other process for the cores, measured here as a
    /// 20x slowdown of a 0.5 s ACAS Xu check when the machine is busy. The native environment is set, because
    /// OpenMP reads it, not .NET's copy.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        ReturnLargeBlocks();
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            try { SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0); }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
        }
    }

    /// <summary>
    /// Serves allocations of 1 MiB and more by mmap, so that freed tensor storage goes back to the system: with
    /// glibc's adaptive threshold, a branch-and-bound run's resident memory was measured growing to 6.9 GB (0.8 GB
    /// with this setting) while its live tensors stayed small.
    /// </summary>
    static void ReturnLargeBlocks()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null) return;
        const int MmapThreshold = -3;
        try { MallOpt(MmapThreshold, 1024 * 1024); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
