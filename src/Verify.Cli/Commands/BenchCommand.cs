using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Verify.Attack;
using Verify.Benchmarks;
using Verify.Graph;
using Verify.Reports;
using Verify.Verification;

namespace Verify.Cli.Commands;

/// <summary>`verify bench INSTANCES.csv`: runs a VNN-COMP benchmark instance by instance and summarises it.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var instances = new Argument<string>("instances") { Description = "VNN-COMP instance list (onnx,vnnlib,timeout per line)" };
        var root = new Option<string?>("--root") { Description = "Folder the instance paths are relative to (default: the list's folder)" };
        var expected = new Option<string?>("--expected") { Description = "CSV of expected verdicts (benchmark,onnx,vnnlib,...,verdict)" };
        var cap = new Option<double?>("--timeout-cap") { Description = "Cap every instance's time limit at this many seconds" };
        var output = new Option<string?>("--out") { Description = "Write the per-instance CSV (benchmark,onnx,vnnlib,result,time_s,peak_rss_mib) here; `verify merge` combines shards' files" };
        var docs = new Option<string?>("--append-markdown") { Description = "Append the summary as a markdown table to this file (e.g. docs/benchmarks.md)" };
        var resume = new Option<bool>("--resume") { Description = "Keep the rows already in the --out CSV, skip their instances and append the rest (the summary counts all rows)" };
        var shardOption = ShardOption.Create("instances, balanced by their CSV time limits");
        var engine = new VerifierOptionsBinder();
        var cmd = new Command("bench", "Run a benchmark's instances one by one, each with its own time limit, and summarise.")
        {
            instances, root, expected, cap, output, docs, resume, shardOption,
        };
        engine.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var csv = parse.GetValue(instances)!;
            var shard = ShardSource.Resolve(parse.GetValue(shardOption));
            var all = InstanceList.Load(csv, parse.GetValue(root));
            var list = ShardAssignment.Select(all, shard);
            if (!shard.IsWhole) AnsiConsole.MarkupLine(Markup.Escape($"{shard}: {list.Count} of {all.Count} instances"));
            var truth = parse.GetValue(expected) is { } e ? ExpectedVerdicts.Load(e) : null;
            var capSeconds = parse.GetValue(cap);
            engine.Bind(parse, 1); // validates the options before the first instance
            var graphs = new Dictionary<string, ComputationGraph>();
            var runners = new Dictionary<string, OnnxRuntimeRunner>();
            var outPath = parse.GetValue(output);
            if (parse.GetValue(resume) && outPath is null) throw new VerifyException("--resume needs --out (the CSV to resume)");
            // Rows are written one complete line at a time; a resumed run counts the earlier rows and skips their instances.
            using var csvOut = outPath is null ? null : parse.GetValue(resume) ? BenchCsv.Resume(outPath) : BenchCsv.Create(outPath);
            var byKey = list.GroupBy(i => i.Key).ToDictionary(g => g.Key, g => g.First());
            var outcomes = (csvOut?.Previous ?? []).Select(r => r.ToOutcome(byKey.GetValueOrDefault(r.Key), truth)).ToList();
            var finished = outcomes.Select(o => o.Instance.Key).ToHashSet();
            var todo = list.Where(i => !finished.Contains(i.Key)).ToList();
            // SIGTERM or Ctrl-C stops the running instance; it is not written unless it was decided.
            using var shutdown = new ShutdownSignal();
            try
            {
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask($"{Path.GetFileName(csv)}", maxValue: list.Count);
                        task.Increment(list.Count - todo.Count);
                        foreach (var inst in todo)
                        {
                            if (shutdown.Received is not null) break;
                            task.Description = $"{Path.GetFileName(inst.Onnx)} {Path.GetFileName(inst.Vnnlib)}";
                            double limit = capSeconds is { } c ? Math.Min(c, inst.TimeoutSeconds) : inst.TimeoutSeconds;
                            var options = engine.Bind(parse, limit);
                            var o = RunOne(inst, options, truth, graphs, runners, shutdown.Token) with { PeakRssMiB = PeakRss.MiB() };
                            if (shutdown.Received is not null && !o.Decided) break;
                            outcomes.Add(o);
                            csvOut?.Append(o);
                            if (o.Wrong) AnsiConsole.MarkupLine($"[red bold]WRONG[/] {Markup.Escape(inst.Key.ToString())}: {o.Result}, expected {o.Expected}");
                            task.Increment(1);
                        }
                    });
            }
            finally
            {
                foreach (var r in runners.Values) r.Dispose();
            }
            var summary = BenchmarkSummary.Of(outcomes);
            var extra = new List<(string, string)> { ("preset", engine.PresetOf(parse).Name) };
            if (!shard.IsWhole)
            {
                extra.Add(("shard", $"{shard.Index}/{shard.Count} from {shard.Source}"));
                extra.Add(("shard's share", $"{list.Count} of {all.Count} instances, " +
                    $"{list.Sum(i => i.TimeoutSeconds).ToString("F0", CultureInfo.InvariantCulture)} of {all.Sum(i => i.TimeoutSeconds).ToString("F0", CultureInfo.InvariantCulture)} s of limits"));
            }
            BenchReport.Print(Path.GetFileName(csv), summary, PeakRss.MiB(), extra.ToArray());
            if (shutdown.Received is not null)
            {
                AnsiConsole.MarkupLine($"[yellow]stopped by {shutdown.Name}[/] after {outcomes.Count} of {list.Count} instances; the unfinished one was not written" +
                    (outPath is null ? "" : $"; run again with --resume to finish {Markup.Escape(outPath)}"));
                return shutdown.ExitCode;
            }
            if (parse.GetValue(docs) is { } md)
            {
                var title = $"{list.FirstOrDefault()?.Benchmark ?? Path.GetFileName(csv)} ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, peak RSS {PeakRss.MiB():F0} MiB)";
                File.AppendAllText(md, summary.Markdown(title, "verify " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1))));
            }
            return 0;
        });
        return cmd;
    }

    static InstanceOutcome RunOne(BenchmarkInstance inst, VerifierOptions options, ExpectedVerdicts? truth,
        Dictionary<string, ComputationGraph> graphs, Dictionary<string, OnnxRuntimeRunner> runners, CancellationToken cancel)
    {
        var sw = Stopwatch.StartNew();
        var expected = truth?.Of(inst);
        try
        {
            if (!graphs.TryGetValue(inst.Onnx, out var graph))
            {
                graph = graphs[inst.Onnx] = Inputs.Model(inst.Onnx);
                runners[inst.Onnx] = new OnnxRuntimeRunner(inst.Onnx);
            }
            var property = Inputs.Property(inst.Vnnlib, graph);
            var result = Verifier.Check(graph, runners[inst.Onnx], property, options, cancel);
            var detail = result.Verdict switch
            {
                Verdict.Holds => $"proved by {result.Bounds.LastOrDefault()?.Method}",
                Verdict.Violated => "counterexample confirmed by ONNX Runtime",
                _ => result.Reason ?? "",
            };
            return new InstanceOutcome(inst, VnncompResult.Word(result.Verdict), sw.Elapsed.TotalSeconds, expected, detail);
        }
        catch (VerifyException e)
        {
            return new InstanceOutcome(inst, "error", sw.Elapsed.TotalSeconds, expected, e.Message);
        }
    }
}
