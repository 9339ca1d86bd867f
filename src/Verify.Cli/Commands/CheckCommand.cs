using System.CommandLine;
using Verify.Attack;
using Verify.Import;
using Verify.Reports;
using Verify.Verification;

namespace Verify.Cli.Commands;

/// <summary>`verify check MODEL SPEC`: attack, bound, verdict.</summary>
public static class CheckCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "ONNX network" };
        var spec = new Argument<string>("spec") { Description = "VNNLIB property (its asserts describe the unsafe set)" };
        var method = new Option<string>("--method") { Description = "ibp, crown, alpha-crown (incomplete), bab (alpha-CROWN then branch and bound) or auto (attack, IBP, CROWN, alpha-CROWN, branch and bound)", DefaultValueFactory = _ => "auto" };
        method.AcceptOnlyFromAmong("ibp", "crown", "alpha-crown", "bab", "auto");
        var timeout = new Option<double>("--timeout") { Description = "Time limit in seconds", DefaultValueFactory = _ => 300 };
        var result = new Option<string?>("--result") { Description = "Write the VNN-COMP result file here" };
        var json = new Option<string?>("--json") { Description = "Write the report as JSON here" };
        var noAttack = new Option<bool>("--no-attack") { Description = "Skip the PGD counterexample search" };
        var common = new CommonOptions();
        var cmd = new Command("check", "Prove or refute a property: PGD attack (confirmed in ONNX Runtime), then IBP/CROWN bounds.")
        {
            model, spec, method, timeout, result, json, noAttack,
        };
        common.AddTo(cmd);
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
                var options = new VerifierOptions(
                    MethodOf(parse.GetValue(method)!),
                    seconds, common.DeviceOf(parse), common.DTypeOf(parse),
                    parse.GetValue(noAttack) ? null : new AttackOptions());
                using var runner = new OnnxRuntimeRunner(modelPath);
                var outcome = Verifier.Check(graph, runner, property, options);
                var summary = NetworkSummary.Of(graph);
                ConsoleReport.Check(modelPath, specPath, summary, property, outcome);
                if (resultPath is not null) File.WriteAllText(resultPath, VnncompResult.Format(outcome));
                if (parse.GetValue(json) is { } jsonPath)
                    File.WriteAllText(jsonPath, JsonReport.Format(modelPath, specPath, summary, outcome));
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

    /// <summary>The method choice named on the command line.</summary>
    public static MethodChoice MethodOf(string name) => name switch
    {
        "ibp" => MethodChoice.Ibp,
        "crown" => MethodChoice.Crown,
        "alpha-crown" => MethodChoice.AlphaCrown,
        "bab" => MethodChoice.Bab,
        _ => MethodChoice.Auto,
    };

    static void TryWrite(string path, string text)
    {
        try { File.WriteAllText(path, text); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
