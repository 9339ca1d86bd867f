namespace Verify.Benchmarks;

/// <summary>
/// Deterministic division of work among shards: instances balanced by their time limits (greedy longest processing
/// time first), image ranges in whole batches.
/// </summary>
public static class ShardAssignment
{
    /// <summary>
    /// The shard of each item: items in order of (weight descending, key ordinal, position) each go to the shard with
    /// the least total weight so far (the lowest index on ties). Depends only on the weights and keys.
    /// </summary>
    public static int[] Assign(IReadOnlyList<double> weights, IReadOnlyList<string> keys, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "at least one shard");
        if (weights.Count != keys.Count) throw new ArgumentException("one key per weight");
        var order = Enumerable.Range(0, weights.Count)
            .OrderByDescending(i => weights[i]).ThenBy(i => keys[i], StringComparer.Ordinal).ThenBy(i => i).ToArray();
        var load = new double[count];
        var shard = new int[weights.Count];
        foreach (var i in order)
        {
            int best = 0;
            for (int s = 1; s < count; s++) if (load[s] < load[best]) best = s;
            shard[i] = best;
            load[best] += weights[i];
        }
        return shard;
    }

    /// <summary>The instances of <paramref name="shard"/>, balanced by their CSV time limits, in list order.</summary>
    public static IReadOnlyList<BenchmarkInstance> Select(IReadOnlyList<BenchmarkInstance> instances, Shard shard)
    {
        if (shard.IsWhole) return instances;
        var owner = Assign(instances.Select(i => i.TimeoutSeconds).ToArray(), instances.Select(KeyText).ToArray(), shard.Count);
        return instances.Where((_, i) => owner[i] == shard.Index).ToArray();
    }

    /// <summary>The stable key text of an instance: benchmark/onnx/vnnlib file names.</summary>
    public static string KeyText(BenchmarkInstance instance) =>
        $"{instance.Key.Item1}/{instance.Key.Item2}/{instance.Key.Item3}";

    /// <summary>
    /// The index range [Start, End) of <paramref name="shard"/> among <paramref name="total"/> items processed in blocks of
    /// <paramref name="block"/>: whole blocks, contiguous, as even as possible, so every shard's blocks are blocks of the single run.
    /// </summary>
    public static (long Start, long End) Range(long total, int block, Shard shard)
    {
        if (block < 1) throw new ArgumentOutOfRangeException(nameof(block), "at least one item per block");
        long blocks = (total + block - 1) / block;
        long first = blocks * shard.Index / shard.Count, last = blocks * (shard.Index + 1) / shard.Count;
        return (Math.Min(total, first * block), Math.Min(total, last * block));
    }
}
