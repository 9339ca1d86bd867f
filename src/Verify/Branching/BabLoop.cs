using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>The steps of one branch-and-bound search over a <see cref="DomainStore{T}"/>, for <see cref="BabLoop"/>.</summary>
internal interface IBabSearch<T> where T : IDomainRows<T>
{
    /// <summary>Domains bounded so far.</summary>
    long Domains { get; }

    /// <summary>Batched steps so far.</summary>
    int Steps { get; }

    /// <summary>The order in which the next batch is taken from the pending domains, or null for creation order.</summary>
    Tensor? Order(T pending);

    /// <summary>Bounds a batch and prepares its children; returns the search's result when the step ends it.</summary>
    BabResult? Step(T batch);

    /// <summary>The children of the last step's open domains (empty when every domain was decided).</summary>
    T[] Children { get; }
}

/// <summary>The loop every branch and bound shares: take a batch, check the limits, step, store the children.</summary>
internal static class BabLoop
{
    /// <summary>
    /// Runs <paramref name="search"/> until the store is empty (null: every domain decided), a step ends the search, or
    /// a limit (time, domains, steps, memory) stops it. A step takes at most <paramref name="maxBatch"/> domains
    /// (default <see cref="BabOptions.BatchSize"/>).
    /// </summary>
    public static BabResult? Run<T>(DomainStore<T> store, IBabSearch<T> search, BabOptions options, Budget budget, MemoryGuard memory,
        int? maxBatch = null)
        where T : IDomainRows<T>
    {
        var trimmer = new HeapTrimmer();
        while (store.Count > 0)
        {
            trimmer.BetweenSteps();
            long b = Math.Min(store.Count, Math.Min(options.BatchSize, maxBatch ?? options.BatchSize));
            if (BabLimits.Check(store.Count, options, budget, search.Domains, search.Steps, memory, store.GrowthBytes(b)) is { } stop) return stop;
            using var scope = torch.NewDisposeScope();
            if (search.Step(store.Take(b, search.Order(store.Pending))) is { } end) return end;
            if (search.Children is { Length: > 0 } children) store.Add(children);
        }
        return null;
    }
}
