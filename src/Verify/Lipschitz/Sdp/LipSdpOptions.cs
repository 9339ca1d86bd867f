namespace Verify.Lipschitz.Sdp;

/// <summary>Options of <see cref="LipSdpSolver"/>.</summary>
/// <param name="Form">Neuron (one multiplier per hidden neuron) or Layer (one per hidden layer).</param>
/// <param name="Method">First-order descent or the cutting-plane LP.</param>
/// <param name="Tolerance">Target relative accuracy on L (stopping rule of the solvers).</param>
/// <param name="MaxIterations">Iteration cap (descent steps, or LP rounds).</param>
/// <param name="TimeLimitSeconds">Wall-clock cap; the best certified bound found so far is returned.</param>
public sealed record LipSdpOptions(
    LipSdpForm Form = LipSdpForm.Neuron,
    LipSdpMethod Method = LipSdpMethod.FirstOrder,
    double Tolerance = 1e-4,
    int MaxIterations = 5000,
    double TimeLimitSeconds = 60)
{
    /// <summary>The defaults: Neuron form, first-order method.</summary>
    public static LipSdpOptions Default { get; } = new();
}
