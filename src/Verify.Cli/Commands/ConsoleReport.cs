using System.Globalization;
using Spectre.Console;
using Verify.Reports;
using Verify.Spec;
using Verify.Verification;

namespace Verify.Cli.Commands;

/// <summary>Human-readable console tables.</summary>
public static class ConsoleReport
{
    /// <summary>Largest number of (case, disjunct) rows printed before the rest are summarised.</summary>
    const int MaxRows = 40;

    /// <summary>Prints the report of a check run with <paramref name="preset"/>.</summary>
    public static void Check(string model, string spec, NetworkSummary network, VnnProperty property, VerificationResult result, VerifierPreset preset)
    {
        var facts = new Table().HideHeaders().Border(TableBorder.Rounded).Title("[bold]verify check[/]");
        facts.AddColumns("", "");
        facts.AddRow("model", Markup.Escape(model));
        facts.AddRow("property", Markup.Escape(spec));
        facts.AddRow("input shape", $"[[{string.Join(", ", network.InputShape)}]]");
        facts.AddRow("output shape", $"[[{string.Join(", ", network.OutputShape)}]]");
        facts.AddRow("layers", $"{network.Layers} ({string.Join(", ", network.Operators.Select(o => $"{o.OpType}×{o.Count}"))})");
        facts.AddRow("neurons", network.Neurons.ToString(CultureInfo.InvariantCulture));
        facts.AddRow("parameters", network.Parameters.ToString(CultureInfo.InvariantCulture));
        facts.AddRow("region", $"{property.Cases.Count} box(es), {property.Cases.Sum(c => c.Disjuncts.Count)} disjunct(s)");
        facts.AddRow("preset", Markup.Escape($"{preset.Name} ({preset.Description}; flags given override it)"));
        AnsiConsole.Write(facts);

        if (result.Bounds.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("margin lower bounds (> 0 refutes the disjunct)");
            table.AddColumn("case");
            table.AddColumn("disjunct");
            foreach (var b in result.Bounds) table.AddColumn(new TableColumn(b.Method.ToUpperInvariant()).RightAligned());
            int rows = 0, total = 0;
            for (int c = 0; c < property.Cases.Count; c++)
                for (int d = 0; d < property.Cases[c].Disjuncts.Count; d++)
                {
                    total++;
                    if (rows++ >= MaxRows) continue;
                    table.AddRow(new[] { c.ToString(), d.ToString() }.Concat(result.Bounds.Select(b => Colour(b.DisjunctLower[c][d]))).ToArray());
                }
            if (total > MaxRows) table.AddRow("…", $"{total - MaxRows} more");
            table.AddRow(new[] { "", "time" }.Concat(result.Bounds.Select(b => $"{b.Seconds:F3} s")).ToArray());
            AnsiConsole.Write(table);
        }

        var verdict = result.Verdict switch
        {
            Verdict.Holds => "[green bold]holds[/] (unsat)",
            Verdict.Violated => "[red bold]violated[/] (sat)",
            Verdict.Timeout => "[yellow bold]timeout[/]",
            _ => "[yellow bold]unknown[/]",
        };
        AnsiConsole.MarkupLine($"verdict: {verdict}   time: {result.TotalSeconds:F3} s (attack {result.AttackSeconds:F3} s)");
        foreach (var r in result.Refinement ?? Array.Empty<Verify.Solvers.MipRefineResult>())
            AnsiConsole.MarkupLine($"MIP refinement: {r.Seconds:F1} s, unstable neurons per layer " +
                string.Join(", ", r.Layers.Select(l => $"{l.UnstableBefore}→{l.UnstableAfter} ({l.Solves} solves, {l.Seconds:F1} s)")) +
                (r.Rejected > 0 ? $", {r.Rejected} solver answers rejected" : ""));
        if (result.BranchAndBound is { } bab)
            AnsiConsole.MarkupLine($"branch and bound: {bab.Domains} domains in {bab.Steps} batched steps ({bab.Status.ToString().ToLowerInvariant()})");
        if (result.Reason is not null) AnsiConsole.MarkupLine($"reason: {Markup.Escape(result.Reason)}");
        if (result.Counterexample is { } cex)
        {
            AnsiConsole.MarkupLine($"counterexample (case {cex.Case}, disjunct {cex.Disjunct}), confirmed by ONNX Runtime:");
            AnsiConsole.MarkupLine($"  x = [[{Preview(cex.Input)}]]");
            AnsiConsole.MarkupLine($"  y = [[{Preview(cex.Output)}]]");
        }
    }

    /// <summary>A bound formatted for tables.</summary>
    public static string F(double v) => double.IsPositiveInfinity(v) ? "+inf" : double.IsNegativeInfinity(v) ? "-inf"
        : v.ToString("G6", CultureInfo.InvariantCulture);

    static string Colour(double v) => v > 0 ? $"[green]{F(v)}[/]" : $"[red]{F(v)}[/]";

    static string Preview(double[] v) =>
        string.Join(", ", v.Take(8).Select(F)) + (v.Length > 8 ? $", … ({v.Length} values)" : "");
}
