using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>
/// Spectral normalisation (Miyato et al. 2018) as a reparameterisation, in its "soft" form
/// W_eff = W / max(1, σ̂(W)/S) with σ̂ = uᵀ W v on the layer operator's persistent power-iteration vectors (the
/// gradient flows through σ̂, not through u and v).
/// </summary>
/// <remarks>
/// Soft rather than Miyato's W_eff = S·W/σ̂: where the cap binds the two are the same map with the same gradient,
/// but the soft form leaves a weight already inside the ball unchanged (the initialisation, and layers the loss wants
/// smaller than S, e.g. under a product certificate), it is idempotent (writing W_eff back into the raw weight does
/// not change the function, which is what <see cref="SpectralConstraint.Finish"/> does), and it does not force every
/// layer to norm exactly S.
/// </remarks>
public sealed class SpectralNormalization(LayerOperator op, double cap) : IWeightReparameterization
{
    /// <inheritdoc />
    public Tensor Effective(Tensor raw) => raw / (op.Estimate(raw) / cap).clamp_min(1.0);
}
