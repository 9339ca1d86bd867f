using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// One kind of branch-and-bound domain as a set of tensors whose dimension 0 indexes the domains (a box, split signs,
/// a parent bound, ...). <see cref="DomainStore{T}"/> keeps such rows.
/// </summary>
public interface IDomainRows<TSelf> where TSelf : IDomainRows<TSelf>
{
    /// <summary>The field tensors in a fixed order; null for an optional field that is absent (then absent in every row set).</summary>
    Tensor?[] Fields { get; }

    /// <summary>Rows rebuilt from fields given in the order of <see cref="Fields"/>.</summary>
    static abstract TSelf FromFields(Tensor?[] fields);
}
