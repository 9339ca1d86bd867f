using System.CommandLine;
using Verify.Reports;
using Verify.Verification;

namespace Verify.Cli.Commands;

/// <summary>`verify check MODEL SPEC`: attack, bound, branch and bound, verdict.</summary>
public static class CheckCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "ONNX network" };
        var spec = new Argument<string>("spec") { Description = "VNNLIB property (its asserts describe the unsafe set)" };
        var timeout = new Option<double>("--timeout") { Description = "Time limit in seconds", DefaultValueFactory = _ => 300 };
        var result = new Option<string?>("--result") { Description = "Write the VNN-COMP result file here" };
        var json = new Option<string?>("--json") { Description = "Write the report as JSON here" };
        var engine = new VerifierOptionsBinder();
        var cmd = new Command("check", "Prove or refute a property: PGD attack (confirmed in ONNX Runtime), IBP/CROWN/alpha-CROWN bounds, branch and bound.")
        {
            model, spec, timeout, result, json,
        };
        engine.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var resultPath = parse.GetValue(result);
            // SIGTERM (the VNN-COMP time-out) or Ctrl-C stops the search; the result and report are still written.
            using var shutdown = new ShutdownSignal();
            // The result file says timeout as soon as a signal arrives (in case a kill follows before the search
            // stops); the final result replaces it.
            var gate = new object();
            bool final = false;
            using var early = shutdown.Token.Register(() =>
            {
                lock (gate) if (!final && resultPath is not null) TryWrite(resultPath, VnncompResult.Word(Verdict.Timeout) + "\n");
            });
            try
            {
                var seconds = parse.GetValue(timeout);
                if (!(seconds > 0)) throw new VerifyException("--timeout must be a positive number of seconds");
                var modelPath = parse.GetValue(model)!;
                var specPath = parse.GetValue(spec)!;
                var graph = Inputs.Model(modelPath);
                var property = Inputs.Property(specPath, graph);
                // The limit counts from the start of the process (start-up and loading included), with a little
                // left for writing the reports.
                var used = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds;
                var options = engine.Bind(parse, Math.Max(0.05, seconds - used - 0.1));
                using var runner = new OnnxRuntimeRunner(modelPath);
                var outcome = Verifier.Check(graph, runner, property, options, shutdown.Token);
                if (shutdown.Received is not null && outcome.Verdict is Verdict.Timeout or Verdict.Unknown)
                    outcome = outcome with { Reason = $"stopped by {shutdown.Name}" };
                var summary = NetworkSummary.Of(graph);
                var preset = engine.PresetOf(parse);
                ConsoleReport.Check(modelPath, specPath, summary, property, outcome, preset);
                lock (gate)
                {
                    if (resultPath is not null) File.WriteAllText(resultPath, VnncompResult.Format(outcome));
                    final = true;
                }
                if (parse.GetValue(json) is { } jsonPath)
                    File.WriteAllText(jsonPath, JsonReport.Format(modelPath, specPath, summary, outcome, preset.Name));
                return shutdown.ExitCode;
            }
            catch (Exception) when (resultPath is not null)
            {
                TryWrite(resultPath, VnncompResult.Error);
                throw;
            }
        });
        return cmd;
    }

    static void TryWrite(string path, string text)
    {
        try { File.WriteAllText(path, text); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
