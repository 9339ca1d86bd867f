using System.Diagnostics;
using Spectre.Console;
using Verify.Fuzz.Inputs;
using Verify.Fuzz.Mutation;
using Verify.Fuzz.Running;
using Verify.Fuzz.Seeds;

namespace Verify.Fuzz.Tool;

/// <summary>
/// Feeds the VNNLIB reader and the ONNX importer mutated inputs and checks that each one is accepted or ends in a
/// user error within the time and memory limits; exit code 1 when any input does not.
/// </summary>
public static class Program
{
    /// <summary>Runs the tool.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "--replay") return Replay.Run(args[1]);
        FuzzArguments a;
        try
        {
            a = FuzzArguments.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{FuzzArguments.Usage}");
            return 2;
        }
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        var examples = a.Examples ?? SeedCorpus.FindExamples(AppContext.BaseDirectory) ?? SeedCorpus.FindExamples(Environment.CurrentDirectory);
        var corpus = SeedCorpus.Load(examples);
        AnsiConsole.MarkupLine($"seeds: {corpus.Vnnlib.Count} VNNLIB, {corpus.Onnx.Count} ONNX (examples: {Markup.Escape(examples ?? "none")})");
        var runner = new FuzzRunner(new FuzzOptions(a.TimeoutMs, a.MaxMemoryMb));
        var writer = new FailureWriter(a.OutDir, a.Seed);
        int failures = 0;
        foreach (var target in a.Targets)
        {
            var generator = new FuzzGenerator(target, a.Seed, corpus);
            var tally = new FuzzTally();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < a.Count; i++)
            {
                var result = runner.Run(generator.Generate(i));
                tally.Add(result);
                if (!result.IsClean)
                {
                    var path = writer.Write(result);
                    AnsiConsole.MarkupLine($"[red]{Markup.Escape(result.Kind)}[/] {Markup.Escape($"#{i} {result.Input.Category} ({result.Input.Note}): {Trim(result.Message)} -> {path}")}");
                }
                if ((i + 1) % 1000 == 0) AnsiConsole.MarkupLine($"{target}: {i + 1}/{a.Count}, {clock.Elapsed.TotalSeconds:F0} s");
                // Collect now and then so that the working set measures each input rather than earlier garbage.
                if (i % 50 == 49) GC.Collect();
                if (runner.HungWorkers > 4)
                {
                    AnsiConsole.MarkupLine("[red]more than 4 hung workers: stopping[/]");
                    break;
                }
            }
            var wall = clock.Elapsed.TotalSeconds;
            AnsiConsole.Write(SummaryTable.Of($"{target}: {tally.Total} inputs, seed {a.Seed}, {wall:F0} s", tally));
            AnsiConsole.MarkupLine($"{target}: wall {wall:F1} s, slowest input {tally.MaxCpuSeconds:F2} s CPU / {tally.MaxSeconds:F2} s wall, largest growth {tally.MaxMemoryMb:F0} MiB, failures {tally.Failures}");
            failures += tally.Failures;
            foreach (var c in tally.Categories)
                AnsiConsole.MarkupLine(Markup.Escape($"  e.g. {c}: {Trim(tally.SampleOf(c))}"));
        }
        return failures == 0 ? 0 : 1;
    }

    static string Trim(string s) => s.Length <= 200 ? s : s[..197] + "...";
}
