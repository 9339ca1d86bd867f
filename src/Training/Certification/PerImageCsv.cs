using System.Globalization;
using System.Text;

namespace Verify.Training.Certification;

/// <summary>The per-image CSV of <c>verify certify --per-image</c>: index,label,clean,pgd_robust,certified (0 or 1).</summary>
public static class PerImageCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "index,label,clean,pgd_robust,certified";

    /// <summary>True when <paramref name="headerLine"/> is this file's header.</summary>
    public static bool IsHeader(string headerLine) => headerLine.Trim() == Header;

    /// <summary>The lines of <paramref name="images"/> (no header).</summary>
    public static string Rows(CertifiedImages images)
    {
        var sb = new StringBuilder();
        static char B(bool b) => b ? '1' : '0';
        for (int i = 0; i < images.Labels.Length; i++)
            sb.Append(CultureInfo.InvariantCulture, $"{images.FirstIndex + i},{images.Labels[i]},{B(images.Correct[i])},{B(images.PgdRobust[i])},{B(images.Certified[i])}\n");
        return sb.ToString();
    }

    /// <summary>The rows of <paramref name="path"/>; a <see cref="VerifyException"/> names the file and line of a malformed one.</summary>
    public static IReadOnlyList<ImageRow> Load(string path)
    {
        if (!File.Exists(path)) throw new VerifyException($"per-image file not found: {path}");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !IsHeader(lines[0])) throw new VerifyException($"{path}: not a per-image certify CSV (header '{Header}' expected)");
        var rows = new List<ImageRow>();
        for (int n = 1; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != 5 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || !long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var label)
                || f.Skip(2).Any(v => v is not ("0" or "1")))
                throw new VerifyException($"{path}:{n + 1}: expected 'index,label,clean,pgd_robust,certified', found '{line}'");
            rows.Add(new ImageRow(index, label, f[2] == "1", f[3] == "1", f[4] == "1", path));
        }
        return rows;
    }
}
