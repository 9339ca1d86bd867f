using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Verify.Tests.Support;

/// <summary>The built `verify` program started in the background, so that a test can signal it while it runs.</summary>
public sealed class ChildProcess : IDisposable
{
    const int SigTerm = 15;

    readonly Process process;
    readonly Task<string> stdout, stderr;

    ChildProcess(Process process)
    {
        this.process = process;
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts verify with the arguments (working directory: the repository root).</summary>
    public static ChildProcess Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Paths.Repo };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Verify.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        return new ChildProcess(Process.Start(psi)!);
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>CPU time the process has used (a measure of its progress that does not depend on the machine's load).</summary>
    public TimeSpan CpuTime => process.TotalProcessorTime;

    /// <summary>The exit code (after <see cref="WaitForExit"/>).</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>Standard output and error so far (complete once the process has ended).</summary>
    public string Output => (stdout.IsCompleted ? stdout.Result : "") + (stderr.IsCompleted ? stderr.Result : "");

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test when the process ends first or after <paramref name="limit"/>.</summary>
    public void WaitUntil(Func<bool> condition, TimeSpan limit, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited) { WaitForExit(TimeSpan.Zero); Assert.Fail($"verify ended (exit code {process.ExitCode}) before {what}:\n{Output}"); }
            if (sw.Elapsed > limit) Assert.Fail($"{what} did not happen within {limit.TotalSeconds} s");
            Thread.Sleep(100);
        }
    }

    /// <summary>Sends SIGTERM (kill(2); Process.Kill would send SIGKILL).</summary>
    public void Terminate()
    {
        if (Kill(process.Id, SigTerm) != 0) Assert.Fail($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the end; false when it did not end within <paramref name="limit"/>.</summary>
    public bool WaitForExit(TimeSpan limit)
    {
        if (!process.WaitForExit(limit)) return false;
        process.WaitForExit();
        // The output is read by ReadToEndAsync, which the process's exit does not wait for: wait for its end of file
        // (bounded: a grandchild that kept the pipe open must not hang the test).
        Task.WaitAll(new Task[] { stdout, stderr }, TimeSpan.FromSeconds(30));
        return true;
    }

    /// <summary>Kills the process if it still runs.</summary>
    public void Dispose()
    {
        if (!process.HasExited) process.Kill(true);
        process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
