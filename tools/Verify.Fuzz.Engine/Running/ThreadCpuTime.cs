using System.Runtime.InteropServices;

namespace Verify.Fuzz.Running;

/// <summary>The CPU time the calling thread has used (Linux: clock_gettime(CLOCK_THREAD_CPUTIME_ID)), or null elsewhere.</summary>
public static partial class ThreadCpuTime
{
    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Seconds of CPU used by the calling thread so far.</summary>
    public static double? Seconds()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
