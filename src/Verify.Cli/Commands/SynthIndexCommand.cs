using System.CommandLine;
using Spectre.Console;
using Verify.Cli.Studies;

namespace Verify.Cli.Commands;

/// <summary>
/// `verify synth-index --out DIR`: writes a learned-index-shaped network (one input, a deep ReLU MLP with tens of
/// millions of parameters) and a property with many input boxes, for measuring box-batched bounds.
/// </summary>
public static class SynthIndexCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "directory for index.onnx and index_N.vnnlib", Required = true };
        var layers = new Option<int>("--layers") { Description = "linear layers", DefaultValueFactory = _ => 50 };
        var wide = new Option<int>("--wide") { Description = "width of the wide hidden layers", DefaultValueFactory = _ => 1000 };
        var narrow = new Option<int>("--narrow") { Description = "width of the narrow hidden layers", DefaultValueFactory = _ => 600 };
        var boxes = new Option<int>("--boxes") { Description = "input boxes (equal pieces of [0, 1])", DefaultValueFactory = _ => 500 };
        var violated = new Option<string?>("--violated") { Description = "comma-separated box indices whose band is too tight (counterexamples)" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var trained = new Option<int>("--trained") { Description = "Adam steps fitting the network to the CDF of a synthetic key distribution (0: random He-scaled weights)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("synth-index", "Write a learned-index-shaped network (1 input, deep ReLU MLP) and a property with many input boxes.")
        {
            output, layers, wide, narrow, boxes, violated, seed, trained,
        };
        cmd.SetAction(parse =>
        {
            int l = parse.GetValue(layers), w = parse.GetValue(wide), n = parse.GetValue(narrow), b = parse.GetValue(boxes);
            if (l < 2 || w < 1 || n < 1 || b < 1) throw new VerifyException("--layers must be at least 2, and --wide, --narrow and --boxes at least 1");
            var bad = parse.GetValue(violated) is { } v
                ? v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(s => int.TryParse(s, out int i) && i >= 0 && i < b ? i : throw new VerifyException($"--violated: not a box index in [0, {b}): '{s}'")).ToArray()
                : null;
            if (parse.GetValue(trained) < 0) throw new VerifyException("--trained must be at least 0");
            var options = new IndexNetworkOptions(l, w, n, b, bad, parse.GetValue(seed), parse.GetValue(trained));
            var (onnx, vnnlib) = IndexNetwork.Write(options, parse.GetValue(output)!);
            AnsiConsole.MarkupLine(Markup.Escape($"{onnx}: {options.Parameters():N0} parameters, {l} linear layers, hidden widths {options.Widths().Min()} to {options.Widths().Max()}"));
            AnsiConsole.MarkupLine(Markup.Escape($"{vnnlib}: {b} boxes, {2 * b} disjuncts{(bad is null ? "" : $", violated boxes {string.Join(",", bad)}")}"));
            return 0;
        });
        return cmd;
    }
}
