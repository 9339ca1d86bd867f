namespace Verify.Bounds;

/// <summary>Options of one bound computation.</summary>
/// <param name="IntermediateMethod">Method for intermediate (pre-activation) bounds; IBP bounds are always intersected in.</param>
/// <param name="MaxSpecsPerPass">Largest number of specifications pushed backward at once (bounds memory).</param>
/// <param name="MaxPassBytes">Estimated memory one backward pass of intermediate bounds may take; fewer specifications
/// are pushed at once where a pass over wide (convolutional) layers would take more.</param>
public sealed record BoundOptions(
    BoundMethod IntermediateMethod = BoundMethod.Crown,
    int MaxSpecsPerPass = 4096,
    long MaxPassBytes = BoundOptions.DefaultMaxPassBytes)
{
    /// <summary>The default of <see cref="MaxPassBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxPassBytes = 1L << 30;

    /// <summary>Plain IBP everywhere.</summary>
    public static BoundOptions Ibp { get; } = new(BoundMethod.Ibp);

    /// <summary>CROWN everywhere (the default).</summary>
    public static BoundOptions Crown { get; } = new();
}
