namespace Verify.Training.Certification;

/// <summary>Which l2 Lipschitz bound of an ONNX classifier's logit map certifies it.</summary>
public enum L2BoundMethod
{
    /// <summary>The smallest of LipSDP (when it certifies within its time) and the product of spectral norms.</summary>
    Auto,
    /// <summary>LipSDP-Neuron only (an error when it certifies nothing in time).</summary>
    LipSdp,
    /// <summary>The product of the dense layers' spectral norms only.</summary>
    Naive,
}

/// <summary>Options of <see cref="L2Lipschitz.Bound"/>.</summary>
/// <param name="Method">The bound.</param>
/// <param name="Claimed">A claimed bound (e.g. an LBDN's γ): used only when LipSDP certifies at most Claimed·(1 + 1e-6), else an error.</param>
/// <param name="LipSdpSeconds">LipSDP's time limit.</param>
public sealed record L2BoundOptions(L2BoundMethod Method = L2BoundMethod.Auto, double? Claimed = null, double LipSdpSeconds = 120);

/// <summary>The l2 Lipschitz bound used and where it came from.</summary>
/// <param name="Value">The bound L used by the certificate.</param>
/// <param name="Source">What <see cref="Value"/> is, for reports.</param>
/// <param name="Naive">The product of spectral norms.</param>
/// <param name="LipSdp">LipSDP-Neuron's certified bound (null: not run; +∞: nothing certified in time).</param>
/// <param name="LipSdpSeconds">LipSDP's time.</param>
/// <param name="Claimed">The claimed bound, when given (then confirmed).</param>
/// <param name="Lmi">The bound the file's LBDN multipliers certify in the LipSDP-Neuron LMI (null: no multipliers, or they certify nothing near γ).</param>
public sealed record L2Bound(double Value, string Source, double Naive, double? LipSdp, double LipSdpSeconds, double? Claimed, double? Lmi = null);
