using System.Globalization;

namespace Verify.Benchmarks;

/// <summary>One slice of a sharded run: shard <paramref name="Index"/> (0-based) of <paramref name="Count"/>.</summary>
/// <param name="Index">This shard, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">Number of shards.</param>
/// <param name="Source">Where the numbers came from (e.g. "--shard", "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT").</param>
public sealed record Shard(int Index, int Count, string Source)
{
    /// <summary>The whole run in one process.</summary>
    public static Shard Whole { get; } = new(0, 1, "none");

    /// <summary>True when this is the whole run (one shard).</summary>
    public bool IsWhole => Count == 1;

    /// <summary>"shard I/N (source)".</summary>
    public override string ToString() => $"shard {Index}/{Count} (from {Source})";

    /// <summary>Reads "I/N"; a <see cref="VerifyException"/> names <paramref name="source"/> when it is not 0 ≤ I &lt; N.</summary>
    public static Shard Parse(string text, string source)
    {
        var parts = text.Split('/');
        if (parts.Length != 2) throw new VerifyException($"{source} must be I/N (shard I of N, 0 <= I < N), got '{text}'");
        return Of(parts[0], parts[1], source);
    }

    /// <summary>A shard from its index and count as text; a <see cref="VerifyException"/> names <paramref name="source"/> when they are not 0 ≤ I &lt; N.</summary>
    public static Shard Of(string index, string count, string source, int indexOffset = 0)
    {
        if (!int.TryParse(index.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            throw new VerifyException($"{source}: shard index must be a whole number, got '{index}'");
        if (!int.TryParse(count.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new VerifyException($"{source}: shard count must be a whole number, got '{count}'");
        i -= indexOffset;
        if (n < 1) throw new VerifyException($"{source}: shard count must be at least 1, got {n}");
        if (i < 0 || i >= n) throw new VerifyException($"{source}: shard index must be in 0..{n - 1}, got {i}");
        return new Shard(i, n, source);
    }
}
