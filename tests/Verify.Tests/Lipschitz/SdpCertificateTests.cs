using MathNet.Numerics.LinearAlgebra;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using static Verify.Tests.Lipschitz.SdpTestNetworks;

namespace Verify.Tests.Lipschitz;

public class SdpCertificateTests
{
    static Matrix<double> Rotated(double[] eigenvalues, int seed)
    {
        var q = Matrix<double>.Build.Random(eigenvalues.Length, eigenvalues.Length, seed).QR().Q;
        return q * Matrix<double>.Build.DiagonalOfDiagonalArray(eigenvalues) * q.Transpose();
    }

    [Test]
    public void NegativeSemidefiniteCheckNeedsAMarginBelowZero()
    {
        Assert.That(LipSdpCertificate.IsNegativeSemidefinite(Rotated(new[] { -3.0, -1, -1e-3, -2 }, 1)), Is.True);
        Assert.That(LipSdpCertificate.IsNegativeSemidefinite(Rotated(new[] { -3.0, -1, 1e-9, -2 }, 2)), Is.False);
        Assert.That(LipSdpCertificate.IsNegativeSemidefinite(Rotated(new[] { -3.0, -1, 0, -2 }, 3)), Is.False);
    }

    [Test]
    public void ExhaustedTimeLimitStillReturnsACertifiedBound()
    {
        var net = Random(new[] { 4, 8, 6, 3 }, 5);
        var r = LipSdpSolver.Solve(net, new LipSdpOptions(LipSdpForm.Neuron, TimeLimitSeconds: 0));
        double naive = NaiveLipschitz.SpectralNormProduct(net);
        // the starting multipliers (from the naive bound) are certified: ρ ≤ (1+1e-3)^(layers) · naive²
        Assert.That(r.Upper, Is.LessThanOrEqualTo(naive * Math.Pow(1.001, 1.5)));
        Assert.That(r.Upper, Is.GreaterThanOrEqualTo(SampledJacobianNorm(net, 2000, 5)));
        Assert.That(MaxEigenvalue(PaperMatrix(net, r.Rho, r.Multipliers)), Is.LessThanOrEqualTo(0));
    }

    [Test]
    public void InvalidOptionsAreAClearError()
    {
        var net = Random(new[] { 2, 3, 1 }, 1);
        Assert.Throws<VerifyException>(() => LipSdpSolver.Solve(net, new LipSdpOptions(Tolerance: 0)));
        Assert.Throws<VerifyException>(() => LipSdpSolver.Solve(net, new LipSdpOptions(TimeLimitSeconds: double.NaN)));
        Assert.Throws<VerifyException>(() => LipSdpSolver.Solve(net, new LipSdpOptions(MaxIterations: -1)));
    }
}
