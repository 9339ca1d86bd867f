using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// The pending domains of a branch-and-bound search: rows of <typeparamref name="T"/> held outside the callers' dispose
/// scopes. A step takes a batch (the first rows, or the first of an order such as worst bound first), bounds it, and
/// adds the children back; pruning keeps a subset. Taking is lazy, so a take followed by an add costs one gather and
/// one concatenation, and the memory each domain costs is known for the memory guard.
/// </summary>
public sealed class DomainStore<T> : IDisposable where T : IDomainRows<T>
{
    Tensor?[] fields;
    Tensor? restIndex; // rows still pending after the last take, applied on the next access
    long restStart = -1; // or: rows from restStart on (a take of the first rows)

    /// <summary>Starts the store with its first domains (copied).</summary>
    public DomainStore(T initial)
    {
        fields = initial.Fields.Select(f => f is null ? null : Own(f.contiguous().clone())).ToArray();
        BytesPerDomain = fields.Sum(f => f is null ? 0 : f.shape.Skip(1).Aggregate(1L, (a, b) => a * b) * f.ElementSize);
    }

    /// <summary>Bytes one domain occupies in the store.</summary>
    public long BytesPerDomain { get; }

    /// <summary>Number of pending domains.</summary>
    public long Count => restIndex?.shape[0] ?? (restStart >= 0 ? Rows - restStart : Rows);

    /// <summary>The pending domains (read-only views, valid until the store next changes).</summary>
    public T Pending
    {
        get
        {
            Materialise();
            return T.FromFields(fields);
        }
    }

    /// <summary>Store growth a step with <paramref name="batch"/> domains may cause, for <see cref="MemoryGuard.BeforeStep"/>.</summary>
    public long GrowthBytes(long batch) => MemoryGuard.StoreGrowth(Count, batch, BytesPerDomain);

    /// <summary>
    /// Removes <paramref name="count"/> domains and returns them: the first rows of <paramref name="order"/> (a
    /// permutation of the pending rows), or the first pending rows when it is null. The result lives in the caller's scope.
    /// </summary>
    public T Take(long count, Tensor? order = null)
    {
        Materialise();
        long n = Rows;
        count = Math.Min(count, n);
        if (order is null)
        {
            var taken = fields.Select(f => f?.narrow(0, 0, count)).ToArray();
            restStart = count;
            return T.FromFields(taken);
        }
        var pick = order.narrow(0, 0, count);
        var result = fields.Select(f => f?.index_select(0, pick)).ToArray();
        restIndex = Own(order.narrow(0, count, n - count).clone());
        return T.FromFields(result);
    }

    /// <summary>Adds domains (copied, in this order, after the pending ones).</summary>
    public void Add(params T[] rows)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor?[]> { PendingFields() };
        parts.AddRange(rows.Select(r => r.Fields));
        var joined = Enumerable.Range(0, fields.Length)
            .Select(i => fields[i] is null ? null : torch.cat(parts.Select(p => p[i]!).ToArray()).contiguous()).ToArray();
        Replace(joined);
    }

    /// <summary>Keeps only the pending domains where <paramref name="keep"/> ([Count] bool) is true.</summary>
    public void Keep(Tensor keep)
    {
        using var scope = NewDisposeScope();
        var index = keep.nonzero().reshape(-1);
        var pending = PendingFields();
        Replace(pending.Select(f => f?.index_select(0, index)).ToArray());
    }

    /// <summary>Frees the stored tensors.</summary>
    public void Dispose()
    {
        foreach (var f in fields) f?.Dispose();
        restIndex?.Dispose();
    }

    long Rows => fields.First(f => f is not null)!.shape[0];

    /// <summary>The pending rows as views or gathers in the current scope (no change to the store).</summary>
    Tensor?[] PendingFields() =>
        restIndex is not null ? fields.Select(f => f?.index_select(0, restIndex)).ToArray()
        : restStart >= 0 ? fields.Select(f => f?.narrow(0, restStart, Rows - restStart)).ToArray()
        : fields;

    void Materialise()
    {
        if (restIndex is null && restStart < 0) return;
        using var scope = NewDisposeScope();
        Replace(PendingFields().Select(f => f?.contiguous().clone()).ToArray());
    }

    /// <summary>Makes <paramref name="next"/> (tensors of the current scope) the stored rows and frees the old ones.</summary>
    void Replace(Tensor?[] next)
    {
        var kept = next.Select(f => f is null ? null : Own(f)).ToArray();
        foreach (var f in fields) f?.Dispose();
        restIndex?.Dispose();
        (fields, restIndex, restStart) = (kept, null, -1);
    }

    static Tensor Own(Tensor t)
    {
        t.DetachFromDisposeScope();
        return t;
    }
}
