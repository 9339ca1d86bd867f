namespace Verify.Benchmarks;

/// <summary>Merges the result rows of shard runs into the rows of one run, finding duplicates, gaps and conflicts.</summary>
public static class ResultMerger
{
    /// <summary>
    /// Merges <paramref name="rows"/> (in file order); with <paramref name="instances"/>, also reports the listed instances
    /// no row covers and the rows of unlisted instances.
    /// </summary>
    public static MergedResults Merge(IEnumerable<ResultRow> rows, IReadOnlyList<BenchmarkInstance>? instances = null)
    {
        var byKey = new Dictionary<(string, string, string), List<ResultRow>>();
        var firstSeen = new List<(string, string, string)>();
        double peak = double.NaN;
        foreach (var r in rows)
        {
            if (!byKey.TryGetValue(r.Key, out var list)) { byKey[r.Key] = list = []; firstSeen.Add(r.Key); }
            list.Add(r);
            if (!double.IsNaN(r.PeakRssMiB)) peak = double.IsNaN(peak) ? r.PeakRssMiB : Math.Max(peak, r.PeakRssMiB);
        }
        var duplicates = firstSeen.Where(k => byKey[k].Count > 1).ToArray();
        var conflicts = new List<ResultConflict>();
        foreach (var k in duplicates)
        {
            var sat = byKey[k].FirstOrDefault(r => r.Result == "sat");
            var unsat = byKey[k].FirstOrDefault(r => r.Result == "unsat");
            if (sat is not null && unsat is not null) conflicts.Add(new ResultConflict(k, sat.File, unsat.File));
        }
        ResultRow Kept((string, string, string) k) => byKey[k].FirstOrDefault(r => r.Decided) ?? byKey[k][0];

        IReadOnlyList<(string, string, string)> keys, missing, unlisted;
        if (instances is null)
        {
            keys = firstSeen.Order().ToArray();
            missing = unlisted = [];
        }
        else
        {
            var listed = instances.Select(i => i.Key).Distinct().ToArray();
            var set = listed.ToHashSet();
            keys = listed.Where(byKey.ContainsKey).ToArray();
            missing = listed.Where(k => !byKey.ContainsKey(k)).ToArray();
            unlisted = firstSeen.Where(k => !set.Contains(k)).ToArray();
        }
        return new MergedResults(keys.Select(Kept).ToArray(), duplicates, missing, unlisted, conflicts, peak);
    }
}
