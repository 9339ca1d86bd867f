namespace Verify.Verification;

/// <summary>When the verifier refines intermediate bounds by MIP (<see cref="Solvers.MipRefinement"/>).</summary>
/// <param name="UpFrontSeconds">Seconds to refine before alpha-CROWN and branch and bound (at most 80% of the time left); 0: not up front.</param>
/// <param name="AfterFirstSlice">Refine when a first slice of ReLU splitting does not decide the property, then search again (<see cref="RefinedReluSearch"/>).</param>
/// <param name="FirstSliceShare">Share of the time limit the first slice of ReLU splitting gets.</param>
/// <param name="RefineShare">Largest share of the time left after the first slice that the refinement may take.</param>
public sealed record MipRefinePolicy(double UpFrontSeconds = 0, bool AfterFirstSlice = true, double FirstSliceShare = 0.1,
    double RefineShare = 0.75)
{
    /// <summary>The default: refinement after a first slice of 10% of the time, for up to 75% of the rest.</summary>
    public static MipRefinePolicy Automatic { get; } = new();

    /// <summary>No refinement.</summary>
    public static MipRefinePolicy Off { get; } = new(0, AfterFirstSlice: false);

    /// <summary>Refinement before the bounds and the search, for the given seconds.</summary>
    public static MipRefinePolicy UpFront(double seconds) => new(seconds, AfterFirstSlice: false);
}
