using System.CommandLine;
using Verify.Cli.Commands;

namespace Verify.Tests.Support;

/// <summary>The options of `verify check`, parsed as the CLI parses them, for the option tests.</summary>
public static class CheckOptions
{
    /// <summary>A binder with its options on a `check` command, and the parse of <paramref name="args"/>.</summary>
    public static (VerifierOptionsBinder Binder, ParseResult Parse) Parse(params string[] args)
    {
        var binder = new VerifierOptionsBinder();
        var cmd = new Command("check");
        binder.AddTo(cmd);
        return (binder, cmd.Parse(args));
    }
}
