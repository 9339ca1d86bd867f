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
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification =
        "The settings must be in place before TorchSharp loads libtorch, whichever of the library's entry points a host calls first.")]
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
    /// Serves allocations of 32 MiB and more by mmap, and fixes that threshold. glibc's adaptive threshold let a
    /// branch-and-bound run's resident memory grow many times past its live tensors; a small threshold makes every
    /// tensor a fresh mmap whose pages the kernel zeroes. 32 MiB plus <see cref="ReleaseFreedMemory"/> after each
    /// branch-and-bound step was measured best of the three (docs/benchmarks.md, "Figures formerly in test and code comments").
    /// </summary>
    static void ReturnLargeBlocks()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null) return;
        const int MmapThreshold = -3;
        try { MallOpt(MmapThreshold, 32 * 1024 * 1024); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    /// <summary>
    /// Returns the heap's free pages to the system (glibc malloc_trim); called between branch-and-bound steps so that
    /// resident memory follows the live tensors. Does nothing on other systems.
    /// </summary>
    internal static void ReleaseFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
