namespace Verify.Training.Lipschitz;

/// <summary>How spectrally constrained training keeps every layer's spectral norm at most the cap S.</summary>
public enum SpectralMethod
{
    /// <summary>
    /// Spectral normalisation (Miyato et al. 2018) as a reparameterisation: the forward pass uses
    /// W / max(1, σ̂/S), σ̂ from one power iteration per training step (<see cref="SpectralNormalization"/>).
    /// </summary>
    PowerIteration,
    /// <summary>
    /// The earlier projection: Adam steps on W, then a power-iteration estimate σ per layer and W ← W·S/σ when σ &gt; S.
    /// Trains badly with Adam (its steps fight the projection); kept for comparison.
    /// </summary>
    Projection,
    /// <summary>
    /// Newhouse et al. 2025: orthogonalised (Muon-style, here exact U Vᵀ by SVD) updates W ← (1 − η/S) W − η U Vᵀ, which
    /// keep ‖W‖ ≤ S by themselves for matrices, then the same projection as a safety net (and for conv operators).
    /// </summary>
    Orthogonalized,
}
