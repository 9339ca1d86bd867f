namespace Verify.Bounds;

/// <summary>Options of one bound computation.</summary>
/// <param name="IntermediateMethod">Method for intermediate (pre-activation) bounds; IBP bounds are always intersected in.</param>
/// <param name="MaxSpecsPerPass">Largest number of specifications pushed backward at once (bounds memory).</param>
public sealed record BoundOptions(
    BoundMethod IntermediateMethod = BoundMethod.Crown,
    int MaxSpecsPerPass = 4096)
{
    /// <summary>Plain IBP everywhere.</summary>
    public static BoundOptions Ibp { get; } = new(BoundMethod.Ibp);

    /// <summary>CROWN everywhere (the default).</summary>
    public static BoundOptions Crown { get; } = new();
}
