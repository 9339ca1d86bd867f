using System.Runtime.InteropServices;

namespace Verify.Cli.Commands;

/// <summary>
/// SIGTERM and SIGINT (Ctrl-C) while a command runs: the first one cancels <see cref="Token"/>, so that the command
/// stops its verification and writes its result; a second one, a second or more later, ends the process at once.
/// Disposing restores the default handling.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly PosixSignalRegistration[] registrations;
    int count;

    /// <summary>Starts handling SIGTERM and SIGINT.</summary>
    public ShutdownSignal() =>
        registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT }.Select(s => PosixSignalRegistration.Create(s, Handle)).ToArray();

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>The first signal received, or null.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The signal's name (SIGTERM, SIGINT), or null.</summary>
    public string? Name => Received switch { PosixSignal.SIGTERM => "SIGTERM", PosixSignal.SIGINT => "SIGINT", null => null, var s => s.ToString() };

    /// <summary>The conventional exit code after the signal received: 128 + its number (143 SIGTERM, 130 SIGINT); 0 without one.</summary>
    public int ExitCode => Received switch { PosixSignal.SIGTERM => 143, PosixSignal.SIGINT => 130, null => 0, _ => 1 };

    /// <summary>A repeat within this time is the same signal delivered twice (to the process group and by a wrapper script).</summary>
    static readonly TimeSpan Repeat = TimeSpan.FromSeconds(1);

    readonly System.Diagnostics.Stopwatch sinceFirst = new();

    void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref count) > 1)
        {
            if (sinceFirst.Elapsed < Repeat) return;
            Console.Error.WriteLine($"verify: second signal ({context.Signal}): exiting now");
            Environment.Exit(ExitCode);
        }
        sinceFirst.Start();
        Received = context.Signal;
        Console.Error.WriteLine($"verify: {Name} received: stopping and writing the result (a second signal exits at once)");
        source.Cancel();
    }

    /// <summary>Restores the default handling of the signals.</summary>
    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        source.Dispose();
    }
}
