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
                var outcome = Verifier.Check(graph, runner, property, options);
                var summary = NetworkSummary.Of(graph);
                var preset = engine.PresetOf(parse);
                ConsoleReport.Check(modelPath, specPath, summary, property, outcome, preset);
                if (resultPath is not null) File.WriteAllText(resultPath, VnncompResult.Format(outcome));
                if (parse.GetValue(json) is { } jsonPath)
                    File.WriteAllText(jsonPath, JsonReport.Format(modelPath, specPath, summary, outcome, preset.Name));
                return 0;
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
