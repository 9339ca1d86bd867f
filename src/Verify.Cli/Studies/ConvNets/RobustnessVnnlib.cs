using System.Globalization;
using System.Text;

namespace Verify.Cli.Studies.ConvNets;

/// <summary>VNNLIB text of an l∞ robustness property: the box x ± eps clipped to [0, 1], unsafe if some other class scores at least the label.</summary>
public static class RobustnessVnnlib
{
    /// <summary>The property (one case, one disjunct per other class: Y_j &gt;= Y_label).</summary>
    public static string Of(float[] image, int label, int classes, double eps, string comment)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.Append("; ").AppendLine(comment);
        for (int i = 0; i < image.Length; i++) s.Append("(declare-const X_").Append(i).AppendLine(" Real)");
        for (int j = 0; j < classes; j++) s.Append("(declare-const Y_").Append(j).AppendLine(" Real)");
        for (int i = 0; i < image.Length; i++)
        {
            double lo = Math.Max(0, image[i] - eps), hi = Math.Min(1, image[i] + eps);
            s.Append("(assert (>= X_").Append(i).Append(' ').Append(lo.ToString("R", inv)).AppendLine("))");
            s.Append("(assert (<= X_").Append(i).Append(' ').Append(hi.ToString("R", inv)).AppendLine("))");
        }
        s.Append("(assert (or");
        for (int j = 0; j < classes; j++)
            if (j != label) s.Append("\n  (and (>= Y_").Append(j).Append(" Y_").Append(label).Append("))");
        s.AppendLine("\n))");
        return s.ToString();
    }
}
