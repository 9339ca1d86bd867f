using System.Globalization;
using Spectre.Console;
using Verify.Benchmarks;

namespace Verify.Cli.Commands;

/// <summary>The summary table that `verify bench` and `verify merge` print.</summary>
public static class BenchReport
{
    /// <summary>Prints the summary of a run (or of merged shard runs) under <paramref name="title"/>, with extra labelled rows first.</summary>
    public static void Print(string title, BenchmarkSummary summary, double peakRssMiB, params (string Label, string Value)[] extra)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]");
        table.AddColumn("");
        table.AddColumn(new TableColumn("").RightAligned());
        table.HideHeaders();
        var inv = CultureInfo.InvariantCulture;
        foreach (var (label, value) in extra) table.AddRow(Markup.Escape(label), Markup.Escape(value));
        table.AddRow("instances", summary.Instances.ToString(inv));
        table.AddRow("decided", $"{summary.Decided} ({summary.Sat} sat, {summary.Unsat} unsat)");
        table.AddRow("timeout / unknown / error", $"{summary.Timeout} / {summary.Unknown} / {summary.Error}");
        table.AddRow("wrong", summary.Wrong == 0 ? "[green]0[/]" : $"[red]{summary.Wrong}[/]");
        table.AddRow("time total / median / max", $"{summary.TotalSeconds.ToString("F1", inv)} s / {summary.MedianSeconds.ToString("F2", inv)} s / {summary.MaxSeconds.ToString("F2", inv)} s");
        table.AddRow("peak resident memory", double.IsNaN(peakRssMiB) ? "-" : $"{peakRssMiB.ToString("F0", inv)} MiB");
        AnsiConsole.Write(table);
    }
}
