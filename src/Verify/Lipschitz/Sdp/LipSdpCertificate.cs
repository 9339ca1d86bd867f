using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// Turns multipliers into a certified bound: ρ from the Schur complement, raised by a small relative margin until the
/// full M(ρ, λ) plus a round-off allowance passes a Cholesky test of negative definiteness in double precision.
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
        double rho0 = Math.Max(schur.Rho, 0);
        // the margin is searched on the (small) input-reduced matrix, then confirmed on the full one when affordable
        for (double margin = 1e-10; margin <= 1e-4; margin *= 10)
        {
            double rho = rho0 * (1 + margin) + margin * 1e-12;
            if (!IsNegativeSemidefinite(reduced.Matrix(rho, lambda))) continue;
            if (full.Dimension > FullCheckDimension || ReferenceEquals(full, reduced) || IsNegativeSemidefinite(full.Matrix(rho, lambda)))
                return rho;
        }
        return null;
    }

    /// <summary>
    /// Whether −M − τI has a Cholesky factor in double precision, τ = d·1e-15·‖M‖_F: τ exceeds the backward error of
    /// the factorisation (about d·ε·‖M‖), so the exact M is negative semidefinite.
    /// </summary>
    public static bool IsNegativeSemidefinite(Matrix<double> m)
    {
        double allowance = m.RowCount * 1e-15 * m.FrobeniusNorm();
        var shifted = -m - allowance * Matrix<double>.Build.DenseIdentity(m.RowCount);
        for (int i = 0; i < shifted.RowCount; i++)
            if (!(shifted[i, i] > 0)) return false;
        try
        {
            var factor = shifted.Cholesky().Factor.Diagonal();
            return factor.All(x => x > 0 && double.IsFinite(x));
        }
        catch (ArgumentException) { return false; }
    }
}
