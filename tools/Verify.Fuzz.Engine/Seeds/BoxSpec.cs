using System.Text;

namespace Verify.Fuzz.Seeds;

/// <summary>Writes the simplest property of a network: every input in [-1, 1], unsafe when Y_0 &lt;= Y_1.</summary>
public static class BoxSpec
{
    /// <summary>The property's text for the given numbers of inputs and outputs (at least one of each).</summary>
    public static string Text(long inputs, long outputs)
    {
        var sb = new StringBuilder();
        for (long i = 0; i < inputs; i++) sb.Append("(declare-const X_").Append(i).Append(" Real)\n");
        for (long j = 0; j < outputs; j++) sb.Append("(declare-const Y_").Append(j).Append(" Real)\n");
        for (long i = 0; i < inputs; i++) sb.Append("(assert (>= X_").Append(i).Append(" -1))\n(assert (<= X_").Append(i).Append(" 1))\n");
        sb.Append(outputs > 1 ? "(assert (<= Y_0 Y_1))\n" : "(assert (<= Y_0 0))\n");
        return sb.ToString();
    }
}
