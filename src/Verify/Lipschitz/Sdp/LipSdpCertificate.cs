using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// Turns multipliers into a certified bound: ρ from the Schur complement, raised by a small relative margin until the
/// largest computed eigenvalue of the full M(ρ, λ) is below minus a round-off allowance in double precision.
/// </summary>
internal static class LipSdpCertificate
{
    /// <summary>Largest dimension of M checked directly; larger ones are checked on the input-reduced matrix.</summary>
    public const int FullCheckDimension = 1500;

    /// <summary>
    /// The certified ρ for per-neuron multipliers λ ≥ 0, or null when N(λ) is not negative definite or no margin up to
    /// 1e-4 relative verifies.
    /// </summary>
    public static double? Certify(LipSdpProblem full, LipSdpProblem reduced, double[] lambda)
    {
        if (lambda.Any(l => !(l >= 0) || !double.IsFinite(l))) return null;
        var schur = SchurBound.Compute(reduced, lambda, 1);
        if (!schur.Feasible || !double.IsFinite(schur.Rho)) return null;
        var check = full.Dimension <= FullCheckDimension ? full : reduced;
        double rho0 = Math.Max(schur.Rho, 0);
        for (double margin = 1e-10; margin <= 1e-4; margin *= 10)
        {
            double rho = rho0 * (1 + margin) + margin * 1e-12;
            if (IsNegativeSemidefinite(check.Matrix(rho, lambda))) return rho;
        }
        return null;
    }

    /// <summary>
    /// Whether the largest computed eigenvalue of a symmetric matrix is at most −d·ε·‖M‖_F, which exceeds the
    /// backward error of the symmetric eigensolver, so the exact matrix is negative semidefinite.
    /// </summary>
    public static bool IsNegativeSemidefinite(Matrix<double> m)
    {
        double allowance = m.RowCount * 1e-15 * m.FrobeniusNorm();
        var evd = m.Evd(Symmetricity.Symmetric);
        double max = evd.EigenValues.Max(e => e.Real);
        return max <= -allowance;
    }
}
