namespace Verify.Lipschitz.Sdp;

/// <summary>How the LipSDP program is solved.</summary>
public enum LipSdpMethod
{
    /// <summary>Quasi-Newton descent on the smoothed Schur-complement bound ρ(λ) (the fast path).</summary>
    FirstOrder,
    /// <summary>Kelley cutting planes: a GLOP LP whose cuts vᵀM(ρ, λ)v ≤ 0 come from the top eigenvectors of M.</summary>
    CuttingPlane,
}
