namespace Verify.Bounds;

/// <summary>Options of alpha-CROWN / beta-CROWN optimisation.</summary>
/// <param name="Iterations">Adam steps (0 gives plain CROWN).</param>
/// <param name="AlphaRate">Learning rate of the relaxation slopes.</param>
/// <param name="BetaRate">Learning rate of the split multipliers.</param>
/// <param name="StallIterations">Stop early when the summed bound has not improved by <paramref name="StallGain"/> for this many steps.</param>
/// <param name="StallGain">Relative improvement that counts as progress.</param>
public sealed record OptimizationOptions(int Iterations = 20, double AlphaRate = 0.1, double BetaRate = 0.05,
    int StallIterations = 5, double StallGain = 1e-3);
