using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Verify.SolverHost;

/// <summary>
/// The solver worker process: reads solve requests on standard input and writes replies on its own copy of standard
/// output, until standard input closes. Anything a native library prints to standard output goes to standard error
/// instead, so it cannot corrupt the replies. After a solver error the worker answers and exits, because a solver
/// left in an error state may abort when it is freed.
/// </summary>
public static class Program
{
    /// <summary>Exit code after the solver reported an error (the worker retires itself).</summary>
    public const int RetiredAfterError = 4;

    /// <summary>Exit code for a corrupted request stream.</summary>
    public const int BadRequest = 3;

    /// <summary>Runs the worker loop.</summary>
    public static int Main(string[] args)
    {
        var output = ReplyStream();
        using var reader = new BinaryReader(new BufferedStream(Console.OpenStandardInput(), 1 << 16));
        using var writer = new BinaryWriter(new BufferedStream(output, 1 << 16));
        using var cache = new ModelCache(capacity: 2);
        while (true)
        {
            SolveRequest request;
            try { request = Wire.ReadRequest(reader); }
            catch (EndOfStreamException) { return 0; }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"solver worker: {e.Message}");
                return BadRequest;
            }
            SolveReply reply;
            HostedModel? model = null;
            try
            {
                FaultInjection.Trigger(request.SolverId);
                model = cache.For(request);
                reply = model is null ? SolveReply.Fail("model not held") : model.Solve(request);
            }
            catch (Exception e)
            {
                reply = SolveReply.Fail($"{e.GetType().Name}: {e.Message}");
            }
            Wire.WriteReply(writer, reply, needStructure: model is null && !request.HasStructure);
            // Not disposed: a solver in an error state may abort when it is freed.
            if (reply.Status == SolveStatus.Abnormal) Environment.Exit(RetiredAfterError);
        }
    }

    /// <summary>
    /// The stream replies go to: a duplicate of file descriptor 1, with descriptor 1 then pointed at standard error
    /// (on Linux and macOS); plain standard output elsewhere.
    /// </summary>
    static Stream ReplyStream()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            try
            {
                int copy = Dup(1);
                if (copy >= 0 && Dup2(2, 1) >= 0)
                    return new FileStream(new SafeFileHandle(copy, ownsHandle: true), FileAccess.Write, 1);
            }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
        }
        return Console.OpenStandardOutput();
    }

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    static extern int Dup2(int fd, int fd2);
}
