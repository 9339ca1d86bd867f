using System.Diagnostics;

namespace Verify.Tests.Support;

/// <summary>Runs the built `verify` program as a separate process, as a user would.</summary>
public static class CliRunner
{
    /// <summary>Exit code, standard output and standard error of one run.</summary>
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs verify with the arguments (working directory: the repository root).</summary>
    public static Outcome Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Verify.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Paths.Repo };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); Assert.Fail("verify did not finish within 120 s"); }
        return new Outcome(p.ExitCode, stdout.Result, stderr.Result);
    }
}
