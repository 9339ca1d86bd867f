using System.Globalization;

namespace Verify.Benchmarks;

/// <summary>Reads a VNN-COMP instance list (CSV lines "onnx,vnnlib,timeout", paths relative to a root).</summary>
public static class InstanceList
{
    /// <summary>The instances of <paramref name="csvPath"/>; relative paths resolve against <paramref name="root"/> (default: the CSV's folder).</summary>
    public static IReadOnlyList<BenchmarkInstance> Load(string csvPath, string? root = null)
    {
        if (!File.Exists(csvPath)) throw new VerifyException($"instance list not found: {csvPath}");
        var dir = root ?? Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        var benchmark = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root ?? Path.GetDirectoryName(Path.GetFullPath(csvPath))!))) ?? "";
        var list = new List<BenchmarkInstance>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(csvPath))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split(',').Select(s => s.Trim()).ToArray();
            if (f.Length < 3 || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var timeout))
                throw new VerifyException($"{csvPath}:{lineNo}: expected 'onnx,vnnlib,timeout', found '{line}'");
            list.Add(new BenchmarkInstance(benchmark, Path.Combine(dir, f[0]), Path.Combine(dir, f[1]), timeout));
        }
        return list;
    }
}
