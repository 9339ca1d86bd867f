namespace Verify.Lipschitz.Sdp;

/// <summary>How the multiplier matrix T of LipSDP is parametrised.</summary>
public enum LipSdpForm
{
    /// <summary>T = diag(λ), one multiplier per hidden neuron (LipSDP-Neuron).</summary>
    Neuron,
    /// <summary>T = blockdiag(t_k I), one multiplier per hidden layer (LipSDP-Layer).</summary>
    Layer,
}
