namespace Verify.Training.Lipschitz;

/// <summary>How spectrally constrained training keeps every layer's spectral norm at most the cap S.</summary>
public enum SpectralMethod
{
    /// <summary>Miyato et al. 2018: Adam steps, then a power-iteration estimate σ per layer and W ← W·S/σ when σ &gt; S.</summary>
    PowerIteration,
    /// <summary>
    /// Newhouse et al. 2025: orthogonalised (Muon-style, here exact U Vᵀ by SVD) updates W ← (1 − η/S) W − η U Vᵀ, which
    /// keep ‖W‖ ≤ S by themselves for matrices, then the same projection as a safety net (and for conv operators).
    /// </summary>
    Orthogonalized,
}
