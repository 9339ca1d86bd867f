namespace Verify.Lipschitz.Sdp;

/// <summary>The outcome of a LipSDP solve.</summary>
/// <param name="Upper">The certified global l2 Lipschitz bound √ρ, from a verified feasible point; +∞ (no claim) when no
/// multipliers could be verified.</param>
/// <param name="LowerRelaxation">√ of the cutting-plane LP value: a lower bound of the SDP optimum (not of L), showing the gap.</param>
/// <param name="Rho">The certified ρ = Upper² (M(ρ, T) verified negative semidefinite).</param>
/// <param name="Multipliers">The certified multipliers, one per hidden neuron (equal within a layer for the Layer form).</param>
/// <param name="Iterations">Descent steps or LP rounds used.</param>
/// <param name="Seconds">Wall-clock time of the solve.</param>
/// <param name="Form">The multiplier form solved.</param>
/// <param name="Method">The method used.</param>
public sealed record LipSdpResult(
    double Upper,
    double LowerRelaxation,
    double Rho,
    double[] Multipliers,
    int Iterations,
    double Seconds,
    LipSdpForm Form,
    LipSdpMethod Method);
