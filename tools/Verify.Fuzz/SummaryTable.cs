using Spectre.Console;
using Verify.Fuzz.Running;

namespace Verify.Fuzz.Tool;

/// <summary>The counts of a run as a console table: one row per category, one column per outcome.</summary>
public static class SummaryTable
{
    /// <summary>The table of one target's tally.</summary>
    public static Table Of(string title, FuzzTally tally)
    {
        var kinds = tally.Kinds.ToList();
        var table = new Table().Title(title).AddColumn("category");
        foreach (var k in kinds) table.AddColumn(new TableColumn(Markup.Escape(k)).RightAligned());
        table.AddColumn(new TableColumn("total").RightAligned());
        table.AddColumn(new TableColumn("max CPU s").RightAligned());
        table.AddColumn(new TableColumn("max wall s").RightAligned());
        foreach (var c in tally.Categories)
        {
            var row = new List<string> { c.ToString() };
            row.AddRange(kinds.Select(k => tally.Count(c, k).ToString()));
            row.Add(kinds.Sum(k => tally.Count(c, k)).ToString());
            row.Add(tally.MaxCpuSecondsOf(c).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
            row.Add(tally.MaxSecondsOf(c).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }
        var total = new List<string> { "total" };
        total.AddRange(kinds.Select(k => tally.Categories.Sum(c => tally.Count(c, k)).ToString()));
        total.Add(tally.Total.ToString());
        total.Add(tally.MaxCpuSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        total.Add(tally.MaxSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow(total.ToArray());
        return table;
    }
}
