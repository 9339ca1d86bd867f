using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Verify.SolverHost;

/// <summary>How a solver worker process is started: this assembly run by the same .NET runtime as the caller.</summary>
internal static class WorkerLaunch
{
    /// <summary>The start information of a worker, or null (with the reason) when this installation has none.</summary>
    public static (ProcessStartInfo? Start, string? Problem) StartInfo()
    {
        string dll = typeof(WorkerLaunch).Assembly.Location;
        if (string.IsNullOrEmpty(dll) || !File.Exists(dll))
            return (null, "the solver worker's assembly has no file (single-file publish?)");
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        // One thread per worker: the engine runs one worker per solve it runs in parallel.
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["DOTNET_TieredPGO"] = "0";
        if (Muxer() is { } dotnet)
        {
            psi.FileName = dotnet;
            psi.ArgumentList.Add(dll);
            return (psi, null);
        }
        string apphost = Path.ChangeExtension(dll, OperatingSystem.IsWindows() ? ".exe" : null);
        if (File.Exists(apphost))
        {
            psi.FileName = apphost;
            return (psi, null);
        }
        return (null, "neither the dotnet host nor the worker's own launcher was found");
    }

    /// <summary>The dotnet host of the running runtime (…/dotnet beside shared/Microsoft.NETCore.App/VERSION/).</summary>
    static string? Muxer()
    {
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == name) return self;
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory());
        var root = runtime.Parent?.Parent?.Parent;
        if (root is not null && File.Exists(Path.Combine(root.FullName, name))) return Path.Combine(root.FullName, name);
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dr && File.Exists(Path.Combine(dr, name))) return Path.Combine(dr, name);
        return null;
    }
}
