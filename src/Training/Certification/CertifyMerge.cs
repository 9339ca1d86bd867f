namespace Verify.Training.Certification;

/// <summary>What merging the per-image files of certify shards gave.</summary>
/// <param name="Counts">The summed counts, one row per image.</param>
/// <param name="Duplicates">Images found more than once with the same answers.</param>
/// <param name="Conflicts">Images found more than once with different answers.</param>
/// <param name="Missing">Indexes in 0..expected−1 (or below the largest index found) that no file has.</param>
public sealed record CertifyMerge(CertifyCounts Counts, IReadOnlyList<long> Duplicates, IReadOnlyList<long> Conflicts, IReadOnlyList<long> Missing)
{
    /// <summary>Merges rows (the first of each index counts); <paramref name="expectedCount"/> is the number of test images the shards covered, if known.</summary>
    public static CertifyMerge Of(IEnumerable<ImageRow> rows, long? expectedCount = null)
    {
        var byIndex = new SortedDictionary<long, ImageRow>();
        var duplicates = new SortedSet<long>();
        var conflicts = new SortedSet<long>();
        foreach (var r in rows)
        {
            if (!byIndex.TryGetValue(r.Index, out var first)) { byIndex[r.Index] = r; continue; }
            (first.Agrees(r) ? duplicates : conflicts).Add(r.Index);
        }
        duplicates.ExceptWith(conflicts);
        long end = expectedCount ?? (byIndex.Count == 0 ? 0 : byIndex.Keys.Last() + 1);
        var missing = new List<long>();
        for (long i = 0; i < end; i++) if (!byIndex.ContainsKey(i)) missing.Add(i);
        var kept = byIndex.Values.ToArray();
        var counts = new CertifyCounts(kept.Length, kept.Count(r => r.Clean), kept.Count(r => r.PgdRobust), kept.Count(r => r.Certified),
            kept.Count(r => r.Certified && !r.PgdRobust));
        return new CertifyMerge(counts, duplicates.ToArray(), conflicts.ToArray(), missing);
    }
}
