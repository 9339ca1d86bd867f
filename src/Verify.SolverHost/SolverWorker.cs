using System.Diagnostics;

namespace Verify.SolverHost;

/// <summary>
/// One solver worker process and its pipes. A solve that the process does not answer (it died, or hung past the
/// request's <see cref="SolveSettings.HangLimit"/>) returns <see cref="SolveStatus.Failed"/> and the worker is dead.
/// </summary>
internal sealed class SolverWorker : IDisposable
{
    readonly Process process;
    readonly BinaryWriter writer;
    readonly BinaryReader reader;
    readonly Queue<string> lastErrors = new();
    readonly LinkedList<(long Key, int Version)> held = new();

    SolverWorker(Process process)
    {
        this.process = process;
        writer = new BinaryWriter(new BufferedStream(process.StandardInput.BaseStream, 1 << 16));
        reader = new BinaryReader(new BufferedStream(process.StandardOutput.BaseStream, 1 << 16));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lastErrors)
            {
                // The first lines: SCIP writes the innermost error first and then one line per caller.
                if (lastErrors.Count < 12) lastErrors.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>Starts a worker; throws when it cannot be started.</summary>
    public static SolverWorker Start(ProcessStartInfo start)
    {
        var p = Process.Start(start) ?? throw new InvalidOperationException("the solver worker did not start");
        return new SolverWorker(p);
    }

    /// <summary>Whether the process can take requests.</summary>
    public bool Alive { get; private set; } = true;

    /// <summary>The worker's process id.</summary>
    public int ProcessId => process.Id;

    /// <summary>Whether the worker was last sent this model at this structure version.</summary>
    public bool Holds(long key) => held.Any(h => h.Key == key);

    /// <summary>
    /// Solves the request; its structure is sent when the worker may not hold the model (<paramref name="withStructure"/>
    /// gives the request with it).
    /// </summary>
    public SolveReply Solve(SolveRequest request, Func<SolveRequest> withStructure, CancellationToken cancel)
    {
        if (!Alive) return SolveReply.Fail("the solver worker is not running");
        bool sendStructure = !held.Contains((request.ModelKey, request.StructureVersion));
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        hang.CancelAfter(request.Settings.HangLimit);
        using var kill = hang.Token.Register(Kill);
        try
        {
            for (int attempt = 0; attempt < 2; attempt++)
            {
                Wire.WriteRequest(writer, sendStructure ? withStructure() : request);
                var reply = Wire.ReadReply(reader);
                if (reply is null)
                {
                    sendStructure = true;
                    continue;
                }
                Remember(request.ModelKey, request.StructureVersion);
                if (reply.Status == SolveStatus.Abnormal)
                {
                    Retire();
                    return reply with { Message = $"{reply.Message}: {RecentErrors()}" };
                }
                return reply;
            }
            return Dead("the solver worker asked twice for the model");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or ObjectDisposedException)
        {
            if (cancel.IsCancellationRequested) { Dead(null); return SolveReply.NotSolved("cancelled"); }
            return Dead(hang.IsCancellationRequested ? $"the solver worker did not answer within {request.Settings.HangLimit.TotalSeconds:F0} s" : "the solver worker died");
        }
    }

    void Remember(long key, int version)
    {
        for (var n = held.First; n is not null; n = n.Next)
            if (n.Value.Key == key) { held.Remove(n); break; }
        held.AddFirst((key, version));
        while (held.Count > 2) held.RemoveLast();
    }

    SolveReply Dead(string? reason)
    {
        Kill();
        Alive = false;
        if (reason is null) return SolveReply.NotSolved();
        try { process.WaitForExit(2000); } catch (InvalidOperationException) { }
        string code = process.HasExited ? $" (exit code {process.ExitCode})" : "";
        string errors = RecentErrors();
        return SolveReply.Fail(reason + code + (errors.Length > 0 ? ": " + errors : ""));
    }

    /// <summary>The first lines the worker wrote to standard error (the solver's own messages), joined.</summary>
    string RecentErrors()
    {
        lock (lastErrors) return string.Join(" | ", lastErrors);
    }

    /// <summary>After a solver error the worker exits by itself; wait for that so it is not reused.</summary>
    void Retire()
    {
        Alive = false;
        try
        {
            // Once it has exited, the no-limit wait returns as soon as its standard error is read to the end.
            if (process.WaitForExit(5000)) process.WaitForExit();
        }
        catch (InvalidOperationException) { }
        Kill();
    }

    void Kill()
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Alive = false;
        try { writer.Dispose(); } catch (IOException) { }
        try { if (!process.WaitForExit(1000)) Kill(); } catch (InvalidOperationException) { }
        process.Dispose();
    }
}
