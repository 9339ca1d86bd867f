using System.Diagnostics;
using Verify.Attack;
using Verify.Bounds;
using Verify.Graph;
using Verify.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Verification;

/// <summary>
/// Checks a property of a network: PGD attack first (a candidate counts only once ONNX Runtime confirms it), then the
/// bound methods asked for. Any exception or NaN inside the engine yields unknown, never holds.
/// </summary>
public static class Verifier
{
    /// <summary>Largest number of attack candidates re-run in ONNX Runtime per check.</summary>
    const int MaxConfirmations = 16;

    /// <summary>Runs the check. <paramref name="runner"/> (ONNX Runtime on the original model) confirms counterexamples.</summary>
    public static VerificationResult Check(ComputationGraph graph, OnnxRuntimeRunner? runner, VnnProperty property, VerifierOptions options)
    {
        var total = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(options.TimeoutSeconds);
        var methods = new List<MethodBounds>();
        double attackSeconds = 0;
        string? reason = null;
        using var scope = torch.NewDisposeScope();
        try
        {
            var g = graph.To(options.Device, options.DType);
            var spec = SpecBatch.From(property, options.Device, options.DType);
            if (options.Attack is { } attack)
            {
                var sw = Stopwatch.StartNew();
                using var cts = new CancellationTokenSource(Remaining(total, deadline));
                var candidates = PgdAttack.Run(g, spec, attack, cts.Token);
                var cex = Confirm(runner, property, candidates, ref reason);
                attackSeconds = sw.Elapsed.TotalSeconds;
                if (cex is not null) return new(Verdict.Violated, cex, methods, attackSeconds, total.Elapsed.TotalSeconds, null);
            }
            foreach (var method in MethodsOf(options.Method))
            {
                if (total.Elapsed >= deadline) return new(Verdict.Timeout, null, methods, attackSeconds, total.Elapsed.TotalSeconds, "time limit reached");
                var result = Bound(g, spec, method, options);
                methods.Add(result);
                if (result.DisjunctLower.Any(c => c.Any(double.IsNaN)))
                    return new(Verdict.Unknown, null, methods, attackSeconds, total.Elapsed.TotalSeconds, $"{result.Method} produced NaN bounds");
                if (result.Proved)
                    return new(Verdict.Holds, null, methods, attackSeconds, total.Elapsed.TotalSeconds, null);
            }
            if (total.Elapsed >= deadline) return new(Verdict.Timeout, null, methods, attackSeconds, total.Elapsed.TotalSeconds, "time limit reached");
            return new(Verdict.Unknown, null, methods, attackSeconds, total.Elapsed.TotalSeconds, reason ?? "bounds too loose to prove the property");
        }
        catch (VerifyException)
        {
            throw;
        }
        catch (Exception e)
        {
            return new(Verdict.Unknown, null, methods, attackSeconds, total.Elapsed.TotalSeconds, $"internal error: {FirstLine(e.Message)}");
        }
    }

    /// <summary>Lower bounds of every disjunct's margin by one method.</summary>
    public static MethodBounds Bound(ComputationGraph graph, SpecBatch spec, BoundMethod method, VerifierOptions options)
    {
        var sw = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var bo = new BoundOptions(method, method, options.MaxSpecsPerPass);
        var bounds = BoundComputer.Intermediate(graph, new IntervalBounds(spec.Lower, spec.Upper), bo);
        var atoms = BoundComputer.SpecLower(graph, bounds, spec.C, spec.Bias, method);
        var disjuncts = spec.DisjunctLower(atoms).to(ScalarType.Float64).cpu();
        var flat = disjuncts.data<double>().ToArray();
        var perCase = Enumerable.Range(0, (int)spec.Cases)
            .Select(c => flat.Skip(c * spec.Disjuncts).Take(spec.Disjuncts).ToArray()).ToArray();
        bool proved = flat.All(v => v > 0 && !double.IsNaN(v));
        return new MethodBounds(method.ToString().ToLowerInvariant(), perCase, proved, sw.Elapsed.TotalSeconds);
    }

    static IEnumerable<BoundMethod> MethodsOf(MethodChoice choice) => choice switch
    {
        MethodChoice.Ibp => new[] { BoundMethod.Ibp },
        MethodChoice.Crown => new[] { BoundMethod.Crown },
        _ => new[] { BoundMethod.Ibp, BoundMethod.Crown },
    };

    /// <summary>The first line of a message (native errors append a stack trace).</summary>
    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    static TimeSpan Remaining(Stopwatch total, TimeSpan deadline)
    {
        var r = deadline - total.Elapsed;
        return r > TimeSpan.Zero ? r : TimeSpan.FromMilliseconds(1);
    }

    static Counterexample? Confirm(OnnxRuntimeRunner? runner, VnnProperty property, IReadOnlyList<AttackCandidate> candidates, ref string? reason)
    {
        int tried = 0;
        foreach (var c in candidates)
        {
            if (c.Violation > 1e-6 || tried >= MaxConfirmations) break;
            if (runner is null)
            {
                reason = "the attack found a candidate, but no ONNX Runtime model was given to confirm it";
                return null;
            }
            tried++;
            var cex = CounterexampleChecker.Confirm(runner, property, c.Case, c.Input);
            if (cex is not null) return cex;
            reason = "an attack candidate was not confirmed by ONNX Runtime";
        }
        return null;
    }
}
