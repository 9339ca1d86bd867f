using System.Globalization;
using System.Text;
using Verify.Verification;

namespace Verify.Reports;

/// <summary>The VNN-COMP result file: "sat" (with the counterexample), "unsat", "unknown", "timeout" or "error".</summary>
public static class VnncompResult
{
    /// <summary>The result word VNN-COMP expects for a verdict.</summary>
    public static string Word(Verdict verdict) => verdict switch
    {
        Verdict.Holds => "unsat",
        Verdict.Violated => "sat",
        Verdict.Timeout => "timeout",
        _ => "unknown",
    };

    /// <summary>The file's text for a result.</summary>
    public static string Format(VerificationResult result)
    {
        var sb = new StringBuilder();
        sb.Append(Word(result.Verdict)).Append('\n');
        if (result is { Verdict: Verdict.Violated, Counterexample: { } cex })
        {
            var lines = cex.Input.Select((v, i) => $"(X_{i} {R(v)})")
                .Concat(cex.Output.Select((v, i) => $"(Y_{i} {R(v)})")).ToList();
            sb.Append('(');
            for (int i = 0; i < lines.Count; i++)
                sb.Append(lines[i]).Append(i + 1 < lines.Count ? "\n" : ")\n");
        }
        return sb.ToString();
    }

    /// <summary>Text of an "error" result file.</summary>
    public static string Error => "error\n";

    /// <summary>Round-trippable invariant formatting of a value.</summary>
    public static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
