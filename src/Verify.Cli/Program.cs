using System.CommandLine;
using Spectre.Console;
using Verify;
using Verify.Cli.Commands;

namespace Verify.Cli;

/// <summary>Entry point of the `verify` console program.</summary>
public static class Program
{
    /// <summary>Exit code of a user error (bad file, unsupported model, bad option).</summary>
    public const int UserError = 2;

    /// <summary>Exit code of an internal error.</summary>
    public const int InternalError = 1;

    /// <summary>Runs the program with the given arguments and returns the exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Verify: proves or refutes properties of neural networks (ONNX + VNNLIB).");
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(BoundsCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(PerfCommand.Create());
        root.Subcommands.Add(LipschitzCommand.Create());
        root.Subcommands.Add(LipschitzStudyCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(CertifyCommand.Create());
        root.Subcommands.Add(FusionBenchCommand.Create());
        root.Subcommands.Add(SynthIndexCommand.Create());
        root.Subcommands.Add(AttackStudyCommand.Create());
        root.Subcommands.Add(ConvStudyCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line per problem: the parser's multi-line messages are joined.
            var messages = parse.Errors.Select(e => string.Join(" ", e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            Console.Error.WriteLine($"error: {string.Join("; ", messages)} (try 'verify --help')");
            return UserError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (VerifyException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("VERIFY_DEBUG") == "1") Console.Error.WriteLine(e);
            return InternalError;
        }
    }
}
