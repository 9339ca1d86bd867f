using System.Globalization;
using System.Text;

namespace Verify.Benchmarks;

/// <summary>Totals of a benchmark run.</summary>
public sealed record BenchmarkSummary(int Instances, int Decided, int Sat, int Unsat, int Timeout, int Unknown, int Error,
    int Wrong, double TotalSeconds, double MedianSeconds, double MaxSeconds)
{
    /// <summary>Summarises outcomes.</summary>
    public static BenchmarkSummary Of(IReadOnlyList<InstanceOutcome> outcomes)
    {
        var times = outcomes.Select(o => o.Seconds).OrderBy(t => t).ToArray();
        double median = times.Length == 0 ? 0 : times.Length % 2 == 1 ? times[times.Length / 2]
            : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
        return new BenchmarkSummary(outcomes.Count, outcomes.Count(o => o.Decided), outcomes.Count(o => o.Result == "sat"),
            outcomes.Count(o => o.Result == "unsat"), outcomes.Count(o => o.Result == "timeout"),
            outcomes.Count(o => o.Result == "unknown"), outcomes.Count(o => o.Result == "error"), outcomes.Count(o => o.Wrong),
            times.Sum(), median, times.Length == 0 ? 0 : times[^1]);
    }

    /// <summary>The CSV of the outcomes: benchmark,onnx,vnnlib,result,time_s,peak_rss_mib (<see cref="ResultCsv"/> reads it back).</summary>
    public static string Csv(IEnumerable<InstanceOutcome> outcomes)
    {
        var sb = new StringBuilder(ResultCsv.Header + "\n");
        foreach (var o in outcomes) sb.Append(CsvRow(o));
        return sb.ToString();
    }

    /// <summary>One CSV line of an outcome.</summary>
    public static string CsvRow(InstanceOutcome o) =>
        $"{o.Instance.Benchmark},{Path.GetFileName(o.Instance.Onnx)},{Path.GetFileName(o.Instance.Vnnlib)},{o.Result},{o.Seconds.ToString("F3", CultureInfo.InvariantCulture)}," +
        $"{(double.IsNaN(o.PeakRssMiB) ? "" : o.PeakRssMiB.ToString("F0", CultureInfo.InvariantCulture))}\n";

    /// <summary>A markdown table row block describing this summary.</summary>
    public string Markdown(string title, string command)
    {
        var inv = CultureInfo.InvariantCulture;
        return $"### {title}\n\nCommand: `{command}`\n\n" +
               "| instances | decided | sat | unsat | timeout | unknown | error | wrong | total s | median s | max s |\n" +
               "|---|---|---|---|---|---|---|---|---|---|---|\n" +
               $"| {Instances} | {Decided} | {Sat} | {Unsat} | {Timeout} | {Unknown} | {Error} | **{Wrong}** | " +
               $"{TotalSeconds.ToString("F1", inv)} | {MedianSeconds.ToString("F2", inv)} | {MaxSeconds.ToString("F2", inv)} |\n\n";
    }
}
