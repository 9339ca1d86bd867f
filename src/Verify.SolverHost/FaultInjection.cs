using System.Runtime.InteropServices;

namespace Verify.SolverHost;

/// <summary>
/// Native faults on request, for the tests of containment: a request whose solver id is one of these makes the worker
/// fail the way a native solver can (abort(), a segmentation fault inside native code, a hang). The engine never
/// sends these ids.
/// </summary>
public static class FaultInjection
{
    /// <summary>The worker calls the C library's abort(), as a failed CHECK inside OR-Tools does.</summary>
    public const string Abort = "FAULT-ABORT";

    /// <summary>The worker writes through a null pointer inside native code.</summary>
    public const string SegmentationFault = "FAULT-SEGV";

    /// <summary>The worker stops answering.</summary>
    public const string Hang = "FAULT-HANG";

    internal static void Trigger(string solverId)
    {
        switch (solverId)
        {
            case Abort:
                CAbort();
                break;
            case SegmentationFault:
                MemSet(IntPtr.Zero, 0, 16);
                break;
            case Hang:
                Thread.Sleep(Timeout.Infinite);
                break;
        }
    }

    [DllImport("libc", EntryPoint = "abort")]
    static extern void CAbort();

    [DllImport("libc", EntryPoint = "memset")]
    static extern IntPtr MemSet(IntPtr destination, int value, nuint count);
}
