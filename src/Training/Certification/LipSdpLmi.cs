using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;

namespace Verify.Training.Certification;

/// <summary>
/// Checks given LipSDP-Neuron multipliers (Fazlyab et al. 2019) on a dense ReLU network: √ρ is an l2 Lipschitz bound
/// when the engine's LipSDP matrix M(ρ, T) is negative semidefinite, tested by the engine's Cholesky check
/// (<c>LipSdpCertificate</c>, the one that also guards the bounds <c>verify lipschitz --method lipsdp</c> reports).
/// </summary>
public static class LipSdpLmi
{
    /// <summary>
    /// The smallest √ρ of ρ = L²(1 + m), m ∈ {0, 1e-9, …, 1e-6·2}, whose matrix passes the check, i.e. a certified bound
    /// of at most L(1 + 1e-6); null when none does. <paramref name="t"/>: one multiplier per hidden neuron, ≥ 0.
    /// </summary>
    public static double? Certify(DenseNetwork net, double[] t, double lipschitz)
    {
        var problem = LipSdpProblem.From(net, LipSdpForm.Neuron);
        if (t.Length != problem.Hidden) throw new VerifyException($"{t.Length} multipliers for {problem.Hidden} hidden neurons");
        if (t.Any(v => !(v >= 0) || !double.IsFinite(v))) throw new VerifyException("multipliers must be finite and non-negative");
        foreach (var m in new[] { 0, 1e-9, 1e-8, 1e-7, 2e-7, 5e-7, 1e-6, 2e-6 })
        {
            double rho = lipschitz * lipschitz * (1 + m);
            if (LipSdpCertificate.IsNegativeSemidefinite(problem.Matrix(rho, t))) return Math.Sqrt(rho);
        }
        return null;
    }
}
