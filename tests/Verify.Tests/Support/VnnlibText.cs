using System.Globalization;
using System.Text;

namespace Verify.Tests.Support;

/// <summary>Writes VNNLIB text for a box and a disjunction of output conjunctions, as VNN-COMP files spell them.</summary>
public static class VnnlibText
{
    /// <summary>
    /// One atom: <c>Y_J &lt;= Bound</c> (or <c>&gt;=</c> when <paramref name="AtLeast"/>), with Y_J - Y_K in place of Y_J
    /// when <paramref name="K"/> is not negative.
    /// </summary>
    public sealed record Atom(int J, int K, bool AtLeast, double Bound)
    {
        /// <summary>The atom as c·y &lt;= d over the given number of outputs.</summary>
        public (double[] C, double D) Row(int outputs)
        {
            var c = new double[outputs];
            c[J] = 1;
            if (K >= 0) c[K] -= 1;
            return AtLeast ? (c.Select(v => -v).ToArray(), -Bound) : (c, Bound);
        }
    }

    /// <summary>The property: lo &lt;= X &lt;= hi and (or (and atoms...) ...).</summary>
    public static string Of(double[] lo, double[] hi, int outputs, IReadOnlyList<IReadOnlyList<Atom>> disjuncts)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var s = new StringBuilder();
        for (int i = 0; i < lo.Length; i++) s.AppendLine($"(declare-const X_{i} Real)");
        for (int j = 0; j < outputs; j++) s.AppendLine($"(declare-const Y_{j} Real)");
        for (int i = 0; i < lo.Length; i++)
        {
            s.AppendLine($"(assert (>= X_{i} {N(lo[i])}))");
            s.AppendLine($"(assert (<= X_{i} {N(hi[i])}))");
        }
        s.Append("(assert (or");
        foreach (var conj in disjuncts)
        {
            s.Append(" (and");
            foreach (var a in conj)
            {
                var e = a.K >= 0 ? $"(- Y_{a.J} Y_{a.K})" : $"Y_{a.J}";
                s.Append($" ({(a.AtLeast ? ">=" : "<=")} {e} {N(a.Bound)})");
            }
            s.Append(')');
        }
        s.AppendLine("))");
        return s.ToString();
    }
}
