namespace Verify.Benchmarks;

/// <summary>
/// The agreed verdicts of a benchmark set (CSV with a header naming at least benchmark, onnx, vnnlib and verdict;
/// verdict is sat, unsat or unknown).
/// </summary>
public sealed class ExpectedVerdicts
{
    readonly Dictionary<(string, string, string), string> verdicts;

    ExpectedVerdicts(Dictionary<(string, string, string), string> verdicts) => this.verdicts = verdicts;

    /// <summary>Reads the file.</summary>
    public static ExpectedVerdicts Load(string path)
    {
        if (!File.Exists(path)) throw new VerifyException($"expected-verdicts file not found: {path}");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new VerifyException($"{path}: empty file");
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        int b = header.IndexOf("benchmark"), o = header.IndexOf("onnx"), v = header.IndexOf("vnnlib"), r = header.IndexOf("verdict");
        if (b < 0 || o < 0 || v < 0 || r < 0)
            throw new VerifyException($"{path}: the header must name benchmark, onnx, vnnlib and verdict");
        var map = new Dictionary<(string, string, string), string>();
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length <= Math.Max(Math.Max(b, o), Math.Max(v, r))) continue;
            map[(f[b].Trim(), Path.GetFileName(f[o].Trim()), Path.GetFileName(f[v].Trim()))] = f[r].Trim();
        }
        return new ExpectedVerdicts(map);
    }

    /// <summary>The expected verdict of an instance (sat, unsat, unknown) or null when the file does not list it.</summary>
    public string? Of(BenchmarkInstance instance) => verdicts.TryGetValue(instance.Key, out var v) ? v : null;

    /// <summary>True when <paramref name="result"/> contradicts a decided expected verdict (sat vs unsat).</summary>
    public static bool IsWrong(string result, string? expected) =>
        (result, expected) is ("sat", "unsat") or ("unsat", "sat");
}
