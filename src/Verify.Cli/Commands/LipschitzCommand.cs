using Verify.Bounds;
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using Verify.Reports;

namespace Verify.Cli.Commands;

/// <summary>
/// `verify lipschitz MODEL (--spec FILE | --center FILE --eps E)`: certified upper bounds of the local l∞ Lipschitz
/// constant by several methods next to a sampled lower bound; `--monotone` lists provably monotone pairs;
/// `--method lipsdp` adds the global l2 bound of LipSDP (which needs no region).
/// </summary>
public static class LipschitzCommand
{
    static readonly Dictionary<string, LipschitzMethod> MethodNames = new()
    {
        ["naive"] = LipschitzMethod.Naive, ["ibp"] = LipschitzMethod.Ibp, ["recurjac"] = LipschitzMethod.RecurJac,
        ["crown"] = LipschitzMethod.Crown, ["bab"] = LipschitzMethod.Bab, ["mip"] = LipschitzMethod.Mip,
    };

    /// <summary>The method name of the global l2 LipSDP bound (not a local method).</summary>
    const string LipSdpName = "lipsdp";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "ONNX network (chain of affine layers and ReLU/sigmoid/tanh, or MaxMin for --method lipsdp)" };
        var spec = new Option<string?>("--spec") { Description = "VNNLIB file whose input box (hull of its cases) is the region" };
        var center = new Option<string?>("--center") { Description = "file of the centre's numbers (separated by spaces, commas or newlines; '#' starts a comment)" };
        var eps = new Option<double?>("--eps") { Description = "radius of the l_inf ball around --center" };
        var domain = new Option<string?>("--domain") { Description = "LO,HI: clip the region to [LO, HI] in every input" };
        var output = new Option<int?>("--output") { Description = "analyse only output J (default: all)" };
        var method = new Option<string[]>("--method")
        {
            Description = "naive, ibp, recurjac, crown, bab, mip, lipsdp (several allowed, or comma-separated; default: naive ibp recurjac crown, plus bab for ReLU networks); lipsdp is the global l2 bound and needs no region",
            AllowMultipleArgumentsPerToken = true,
        };
        var timeout = new Option<double>("--timeout") { Description = "seconds for each of the MILP and the branch-and-bound", DefaultValueFactory = _ => 60 };
        var json = new Option<string?>("--json") { Description = "write the figures as JSON to this file" };
        var monotone = new Option<bool>("--monotone") { Description = "print the provably monotone input-output pairs" };
        var alpha = AlphaIterationsOption(20);
        var cmd = new Command("lipschitz", "Bound the local l_inf Lipschitz constant (max_j ||grad f_j||_1) over a box, with a sampled lower bound.")
            { model, spec, center, eps, domain, output, method, timeout, json, monotone, alpha };
        cmd.SetAction(parse =>
        {
            var graph = Inputs.Model(parse.GetValue(model)!);
            var dense = DenseNetwork.FromGraph(graph);
            var net = dense.HasPairs ? null : LipschitzNetwork.FromGraph(graph, dense);
            double t = parse.GetValue(timeout);
            if (!(t > 0) || !double.IsFinite(t)) throw new VerifyException($"--timeout must be a positive number of seconds, got {t}");
            var (methods, lipSdp) = Methods(parse.GetValue(method), net?.IsPiecewiseLinear ?? false);
            bool local = methods.Count > 0 || parse.GetValue(monotone);
            if (local && net is null)
                throw new VerifyException("the network has MaxMin/Householder layers: only --method lipsdp (the global l2 bound) applies to it");
            Verify.Spec.InputBox? region = null;
            if (local || parse.GetValue(spec) is not null || parse.GetValue(center) is not null)
            {
                region = Region(parse.GetValue(spec), parse.GetValue(center), parse.GetValue(eps), graph);
                if (parse.GetValue(domain) is { } d)
                {
                    var (lo, hi) = ParsePair(d);
                    region = region.Clip(lo, hi);
                }
            }
            LipschitzReport? report = null;
            if (local)
            {
                var options = new LipschitzOptions(methods, parse.GetValue(output), t, ForwardOptimization: ForwardOptimization(parse.GetValue(alpha)));
                report = LipschitzAnalysis.Run(net!, region!.Lower, region.Upper, options);
                Print(report);
                if (parse.GetValue(monotone)) PrintMonotone(report, dense.InputSize);
            }
            GlobalL2Report? global = null;
            if (lipSdp)
            {
                global = GlobalL2Analysis.Run(dense, new LipSdpOptions(TimeLimitSeconds: t), region?.Lower, region?.Upper);
                PrintGlobal(global, region is not null);
            }
            if (parse.GetValue(json) is { } path)
            {
                File.WriteAllText(path, LipschitzJson.Write(report, parse.GetValue(model)!, region?.Lower, region?.Upper, global));
                AnsiConsole.MarkupLine($"[grey]JSON written to {Markup.Escape(path)}[/]");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>The --alpha-iterations option: alpha-CROWN steps for the forward bounds (0: plain CROWN).</summary>
    internal static Option<int> AlphaIterationsOption(int defaultValue) => new("--alpha-iterations")
    {
        Description = "alpha-CROWN steps per layer for the forward pre-activation bounds (0: plain CROWN)",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The forward optimisation for --alpha-iterations N.</summary>
    internal static OptimizationOptions? ForwardOptimization(int iterations) => iterations switch
    {
        < 0 => throw new VerifyException($"--alpha-iterations must be 0 or more, got {iterations}"),
        0 => null,
        _ => new OptimizationOptions(Iterations: iterations),
    };

    static Verify.Spec.InputBox Region(string? spec, string? center, double? eps, Verify.Graph.ComputationGraph graph)
    {
        if (spec is not null && (center is not null || eps is not null))
            throw new VerifyException("give either --spec or --center with --eps, not both");
        if (spec is not null) return LipschitzRegion.FromProperty(Inputs.Property(spec, graph));
        if (center is null || eps is null) throw new VerifyException("the region is missing: give --spec FILE or --center FILE --eps E");
        return Verify.Spec.InputBox.Around(LipschitzRegion.ReadCenter(center, (int)graph.InputSize), eps.Value);
    }

    static (double, double) ParsePair(string text)
    {
        var parts = text.Split(',');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lo)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var hi))
            return (lo, hi);
        throw new VerifyException($"--domain expects LO,HI (two numbers), got '{text}'");
    }

    /// <summary>The local methods asked for, and whether the global LipSDP bound is asked for too.</summary>
    static (List<LipschitzMethod> Local, bool LipSdp) Methods(string[]? names, bool relu)
    {
        var tokens = (names ?? Array.Empty<string>()).SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(t => t.ToLowerInvariant()).ToList();
        if (tokens.Count == 0)
        {
            var defaults = new List<LipschitzMethod> { LipschitzMethod.Naive, LipschitzMethod.Ibp, LipschitzMethod.RecurJac, LipschitzMethod.Crown };
            if (relu) defaults.Add(LipschitzMethod.Bab);
            return (defaults, false);
        }
        var local = tokens.Where(t => t != LipSdpName).Select(t => MethodNames.TryGetValue(t, out var m) ? m
            : throw new VerifyException($"unknown --method '{t}' (expected one of {string.Join(", ", MethodNames.Keys.Append(LipSdpName))})")).Distinct().ToList();
        return (local, tokens.Contains(LipSdpName));
    }

    static void PrintGlobal(GlobalL2Report g, bool inRegion)
    {
        string Secs(double s) => s.ToString("F2", CultureInfo.InvariantCulture);
        var table = new Table().Title("global Lipschitz constant, l2 -> l2 (LipSDP; the region only chooses where to sample)");
        table.AddColumns("method", "bound", "LP relaxation", "gap to sampled", "seconds");
        table.Caption(inRegion ? "sampled: max ||J(x)||_2 over points of the region" : "sampled: max ||J(x)||_2 over standard-normal points");
        table.AddRow("sampled", ConsoleReport.F(g.SampledLower), "", "", Secs(g.SamplingSeconds));
        foreach (var (name, r) in new[] { ("lipsdp-neuron", g.Neuron), ("lipsdp-layer", g.Layer) })
            table.AddRow(name, ConsoleReport.F(r.Upper), ConsoleReport.F(r.LowerRelaxation), ConsoleReport.F(r.Upper - g.SampledLower), Secs(r.Seconds));
        table.AddRow("naive", ConsoleReport.F(g.Naive), "", ConsoleReport.F(g.Naive - g.SampledLower), "");
        AnsiConsole.Write(table);
    }

    static string Name(LipschitzMethod m) => MethodNames.First(p => p.Value == m).Key;

    static void Print(LipschitzReport report)
    {
        double lower = report.OverallLower;
        var table = new Table().Title($"local Lipschitz constant, l_inf -> l_inf (max over {report.Outputs.Length} output(s) of ||grad f_j||_1); {report.UnstableNeurons} unstable neurons");
        table.AddColumns("method", "upper bound", "sampled lower", "gap", "exact", "seconds", "detail");
        table.AddRow("sampled", ConsoleReport.F(lower), ConsoleReport.F(lower), "", "", report.SamplingSeconds.ToString("F2", CultureInfo.InvariantCulture), "attained in the region");
        foreach (var m in report.Methods)
        {
            double gap = m.OverallUpper - lower;
            string rel = lower > 0 ? $" ({100 * gap / lower:F2}%)" : "";
            table.AddRow(Name(m.Method), ConsoleReport.F(m.OverallUpper), ConsoleReport.F(lower), ConsoleReport.F(gap) + rel,
                m.OverallExact ? "yes" : "no", m.Seconds.ToString("F2", CultureInfo.InvariantCulture), Markup.Escape(m.Detail));
        }
        AnsiConsole.Write(table);
        if (report.Outputs.Length <= 1) return;
        var per = new Table().Title("per output: ||grad f_j||_1 bounds");
        per.AddColumn("output");
        per.AddColumn("sampled");
        foreach (var m in report.Methods) per.AddColumn(Name(m.Method));
        for (int a = 0; a < report.Outputs.Length; a++)
            per.AddRow(new[] { report.Outputs[a].ToString(), ConsoleReport.F(report.Lower[a]) }
                .Concat(report.Methods.Select(m => ConsoleReport.F(m.Upper[a]) + (m.Exact[a] ? " *" : ""))).ToArray());
        per.Caption("* exact");
        AnsiConsole.Write(per);
    }

    static void PrintMonotone(LipschitzReport report, int inputs)
    {
        var table = new Table().Title($"provably monotone pairs: {report.Monotone.Count} of {report.Outputs.Length * inputs} (bounds of d f_j / d x_i over the region)");
        table.AddColumns("output", "input", "direction", "lower", "upper");
        foreach (var p in report.Monotone)
            table.AddRow(p.Output.ToString(), p.Input.ToString(), p.Increasing ? "non-decreasing" : "non-increasing", ConsoleReport.F(p.Lower), ConsoleReport.F(p.Upper));
        AnsiConsole.Write(table);
    }
}
