using System.Globalization;

namespace Verify.Benchmarks;

/// <summary>Reads the per-instance CSV that <c>verify bench --out</c> writes (benchmark,onnx,vnnlib,result,time_s[,peak_rss_mib]).</summary>
public static class ResultCsv
{
    /// <summary>The header line <c>verify bench</c> writes.</summary>
    public const string Header = "benchmark,onnx,vnnlib,result,time_s,peak_rss_mib";

    /// <summary>True when <paramref name="headerLine"/> is a bench result header.</summary>
    public static bool IsHeader(string headerLine) => headerLine.Trim().StartsWith("benchmark,onnx,vnnlib,result,time_s", StringComparison.Ordinal);

    /// <summary>The rows of <paramref name="path"/>; a <see cref="VerifyException"/> names the file and line of a malformed one.</summary>
    public static IReadOnlyList<ResultRow> Load(string path)
    {
        if (!File.Exists(path)) throw new VerifyException($"result file not found: {path}");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !IsHeader(lines[0]))
            throw new VerifyException($"{path}: not a bench result CSV (header 'benchmark,onnx,vnnlib,result,time_s' expected)");
        bool hasPeak = HasPeak(lines[0]);
        var rows = new List<ResultRow>();
        var inv = CultureInfo.InvariantCulture;
        for (int n = 1; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            rows.Add(ParseRow(line, hasPeak, path, n + 1));
        }
        return rows;
    }

    /// <summary>One data line (<paramref name="hasPeak"/>: the header has the peak memory column); a user error naming the line otherwise.</summary>
    public static ResultRow ParseRow(string line, bool hasPeak, string path, int lineNumber)
    {
        var inv = CultureInfo.InvariantCulture;
        var f = line.Split(',').Select(s => s.Trim()).ToArray();
        double peak = double.NaN;
        if (f.Length < 5 || !double.TryParse(f[4], NumberStyles.Float, inv, out var seconds)
            || (hasPeak && f.Length > 5 && f[5].Length > 0 && !double.TryParse(f[5], NumberStyles.Float, inv, out peak)))
            throw new VerifyException($"{path}:{lineNumber}: expected 'benchmark,onnx,vnnlib,result,time_s[,peak_rss_mib]', found '{line}'");
        return new ResultRow(f[0], f[1], f[2], f[3], seconds, peak, path);
    }

    /// <summary>Whether a header line names the peak memory column.</summary>
    public static bool HasPeak(string headerLine) => headerLine.Split(',').Select(h => h.Trim()).Contains("peak_rss_mib");
}
