using System.Diagnostics;

namespace Verify.Tests.Support;

/// <summary>Runs the built `verify` program as a separate process, as a user would.</summary>
public static class CliRunner
{
    /// <summary>Exit code, standard output and standard error of one run.</summary>
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    /// <summary>The scheduler variables that select a shard; cleared in every run unless given.</summary>
    static readonly string[] ShardVariables =
        ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX", "VERIFY_SHARD_COUNT"];

    /// <summary>Runs verify with the arguments (working directory: the repository root).</summary>
    public static Outcome Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary>Runs verify with the arguments and extra environment variables (working directory: the repository root).</summary>
    public static Outcome Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Verify.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Paths.Repo };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        foreach (var v in ShardVariables) psi.Environment.Remove(v);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); Assert.Fail("verify did not finish within 120 s"); }
        return new Outcome(p.ExitCode, stdout.Result, stderr.Result);
    }
}
