using System.CommandLine;
using Spectre.Console;
using Verify.Benchmarks;
using Verify.Training.Certification;

namespace Verify.Cli.Commands;

/// <summary>
/// `verify merge FILES|FOLDERS`: combines the result CSVs of `verify bench --shard` (or the per-image CSVs of
/// `verify certify --shard`) into the summary of one run.
/// </summary>
public static class MergeCommand
{
    /// <summary>Exit code when an instance (or image) has contradicting answers in two files.</summary>
    public const int Conflict = 3;

    /// <summary>Exit code when listed instances (or images) are missing, or unlisted ones are present.</summary>
    public const int Incomplete = 4;

    /// <summary>Most problem lines printed per kind.</summary>
    const int MaxListed = 20;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("results") { Description = "Shard result CSVs, or folders whose *.csv files are merged", Arity = ArgumentArity.OneOrMore };
        var instances = new Option<string?>("--instances") { Description = "The instance list the shards ran: reports missing and unlisted instances, and orders the output like a single run" };
        var root = new Option<string?>("--root") { Description = "Folder the instance paths are relative to (default: the list's folder)" };
        var expected = new Option<string?>("--expected") { Description = "CSV of expected verdicts, for the wrong count" };
        var output = new Option<string?>("--out") { Description = "Write the merged CSV here" };
        var docs = new Option<string?>("--append-markdown") { Description = "Append the summary as a markdown table to this file" };
        var count = new Option<long?>("--count") { Description = "certify: the number of test images the shards covered (reports missing ones)" };
        var cmd = new Command("merge", "Merge shard results (verify bench --out, verify certify --per-image) into one CSV and one summary; exit 3 on a conflict, 4 when incomplete.")
        {
            inputs, instances, root, expected, output, docs, count,
        };
        cmd.SetAction(parse =>
        {
            var outPath = parse.GetValue(output);
            var files = Files(parse.GetValue(inputs)!, outPath);
            var kinds = files.Select(f => File.ReadLines(f).FirstOrDefault() ?? "").ToArray();
            if (kinds.All(ResultCsv.IsHeader))
                return MergeBench(files, parse.GetValue(instances), parse.GetValue(root), parse.GetValue(expected), outPath, parse.GetValue(docs));
            if (kinds.All(PerImageCsv.IsHeader)) return MergeCertify(files, parse.GetValue(count), outPath);
            var odd = files.Where((f, i) => !ResultCsv.IsHeader(kinds[i]) && !PerImageCsv.IsHeader(kinds[i])).FirstOrDefault();
            throw new VerifyException(odd is not null
                ? $"{odd}: neither a bench result CSV nor a per-image certify CSV"
                : "bench result CSVs and per-image certify CSVs cannot be merged together");
        });
        return cmd;
    }

    /// <summary>The files named, folders expanded to their *.csv files (without <paramref name="outPath"/>), in ordinal order.</summary>
    static string[] Files(string[] inputs, string? outPath)
    {
        var skip = outPath is null ? null : Path.GetFullPath(outPath);
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                foreach (var f in Directory.EnumerateFiles(input, "*.csv")) { if (Path.GetFullPath(f) != skip) files.Add(f); }
            else if (File.Exists(input)) files.Add(input);
            else throw new VerifyException($"result file or folder not found: {input}");
        }
        if (files.Count == 0) throw new VerifyException($"no .csv files in {string.Join(", ", inputs)}");
        return files.ToArray();
    }

    static int MergeBench(string[] files, string? instancesPath, string? root, string? expectedPath, string? outPath, string? md)
    {
        var list = instancesPath is null ? null : InstanceList.Load(instancesPath, root);
        var truth = expectedPath is null ? null : ExpectedVerdicts.Load(expectedPath);
        var merged = ResultMerger.Merge(files.SelectMany(ResultCsv.Load), list);
        static string Name((string B, string O, string V) k) => $"{k.B}/{k.O}/{k.V}";
        Report("duplicate (kept the first decided row)", merged.Duplicates.Select(Name).ToArray());
        Report("missing", merged.Missing.Select(Name).ToArray());
        Report("not in the instance list (left out)", merged.Unlisted.Select(Name).ToArray());
        Report("CONFLICT", merged.Conflicts.Select(c => $"{Name(c.Key)}: sat in {c.SatFile}, unsat in {c.UnsatFile}").ToArray());
        var outcomes = merged.Outcomes(list, truth);
        foreach (var o in outcomes.Where(o => o.Wrong))
            AnsiConsole.MarkupLine($"[red bold]WRONG[/] {Markup.Escape(o.Instance.Key.ToString())}: {o.Result}, expected {o.Expected}");
        var summary = BenchmarkSummary.Of(outcomes);
        var title = instancesPath is null ? "merged" : Path.GetFileName(instancesPath);
        BenchReport.Print(title, summary, merged.PeakRssMiB, ("merged", $"{files.Length} file(s)"));
        if (outPath is not null) OutputFile.Create(outPath, BenchmarkSummary.Csv(outcomes));
        if (md is not null)
            File.AppendAllText(md, summary.Markdown($"{outcomes.FirstOrDefault()?.Instance.Benchmark ?? title} (merged from {files.Length} shard files, peak RSS {merged.PeakRssMiB:F0} MiB)",
                "verify " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1))));
        return merged.Conflicts.Count > 0 ? Conflict : merged.Complete ? 0 : Incomplete;
    }

    static int MergeCertify(string[] files, long? count, string? outPath)
    {
        var rows = files.SelectMany(PerImageCsv.Load).ToArray();
        var merged = CertifyMerge.Of(rows, count);
        Report("duplicate image", merged.Duplicates.Select(i => i.ToString()).ToArray());
        Report("missing image", merged.Missing.Select(i => i.ToString()).ToArray());
        Report("CONFLICT (different answers) for image", merged.Conflicts.Select(i => i.ToString()).ToArray());
        var t = merged.Counts;
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]merged certify[/] ({files.Length} file(s))");
        table.AddColumn("");
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        table.AddRow("test images", t.Count.ToString());
        table.AddRow("clean", CertifyCommand.Pct(t.Clean, t.Count));
        table.AddRow("PGD", CertifyCommand.Pct(t.PgdRobust, t.Count));
        table.AddRow("certified", CertifyCommand.Pct(t.Certified, t.Count));
        AnsiConsole.Write(table);
        if (t.Inconsistent > 0) AnsiConsole.MarkupLine($"[red bold]{t.Inconsistent} images certified yet attacked: the bounds are unsound[/]");
        if (outPath is not null)
        {
            var first = rows.GroupBy(r => r.Index).OrderBy(g => g.Key).Select(g => g.First());
            OutputFile.Create(outPath, PerImageCsv.Header + "\n" + string.Concat(first.Select(r =>
                $"{r.Index},{r.Label},{(r.Clean ? 1 : 0)},{(r.PgdRobust ? 1 : 0)},{(r.Certified ? 1 : 0)}\n")));
        }
        return merged.Conflicts.Count > 0 ? Conflict : merged.Missing.Count > 0 ? Incomplete : t.Inconsistent > 0 ? 1 : 0;
    }

    /// <summary>One line per problem on standard error, at most <see cref="MaxListed"/> of a kind.</summary>
    static void Report(string what, string[] items)
    {
        foreach (var item in items.Take(MaxListed)) Console.Error.WriteLine($"{what}: {item}");
        if (items.Length > MaxListed) Console.Error.WriteLine($"{what}: … and {items.Length - MaxListed} more");
    }
}
