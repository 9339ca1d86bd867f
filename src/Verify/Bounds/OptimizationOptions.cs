namespace Verify.Bounds;

/// <summary>Options of alpha-CROWN / beta-CROWN optimisation.</summary>
/// <param name="Iterations">Adam steps (0 gives plain CROWN).</param>
/// <param name="AlphaRate">Learning rate of the relaxation slopes.</param>
/// <param name="BetaRate">Learning rate of the split multipliers.</param>
/// <param name="StallIterations">Stop early when the summed bound has not improved by <paramref name="StallGain"/> for this many steps.</param>
/// <param name="StallGain">Relative improvement that counts as progress.</param>
public sealed record OptimizationOptions(int Iterations = 20, double AlphaRate = 0.1, double BetaRate = 0.05,
    int StallIterations = 5, double StallGain = 1e-3)
{
    /// <summary>The default of alpha-CROWN on a whole property (the root bound of a verification).</summary>
    public static OptimizationOptions WholeProperty { get; } = new(Iterations: 50, StallIterations: 8);

    /// <summary>The default per branch-and-bound step (it runs for every batch, so few iterations).</summary>
    public static OptimizationOptions PerStep { get; } = new(Iterations: 20, StallIterations: 3);
}
