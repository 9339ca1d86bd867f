using Verify.Lipschitz.Sdp;
using Verify.Tests.Support;
using static Verify.Tests.Lipschitz.SdpTestNetworks;

namespace Verify.Tests.Lipschitz;

/// <summary>LipSDP against the values published for the example network random_weights.json (2-10-30-20-2).</summary>
public class SdpPublishedTests
{
    static Verify.Lipschitz.DenseNetwork RandomWeights() =>
        LipSdpWeightsReader.Read(Paths.SharedOrIgnore("benchmarks", "lipsdp", "random_weights.json"));

    [Test]
    public void NaiveBoundIsThePublishedOne() =>
        Assert.That(NaiveLipschitz.SpectralNormProduct(RandomWeights()), Is.EqualTo(43.306).Within(1e-3).Percent);

    [TestCase(LipSdpForm.Neuron, LipSdpMethod.FirstOrder, 36.482)]
    [TestCase(LipSdpForm.Neuron, LipSdpMethod.CuttingPlane, 36.482)]
    [TestCase(LipSdpForm.Layer, LipSdpMethod.FirstOrder, 39.839)]
    [TestCase(LipSdpForm.Layer, LipSdpMethod.CuttingPlane, 39.839)]
    public void MatchesThePublishedValueWithAVerifiedCertificate(LipSdpForm form, LipSdpMethod method, double published)
    {
        var net = RandomWeights();
        var result = LipSdpSolver.Solve(net, new LipSdpOptions(form, method));
        Assert.That(result.Upper, Is.EqualTo(published).Within(0.1).Percent);
        Assert.That(result.LowerRelaxation, Is.LessThanOrEqualTo(result.Upper));
        Assert.That(result.LowerRelaxation, Is.GreaterThan(published * 0.999), "the LP relaxation closes the gap");
        Assert.That(result.Upper * result.Upper, Is.EqualTo(result.Rho).Within(1e-9).Percent);
        Assert.That(result.Multipliers, Has.Length.EqualTo(60).And.All.GreaterThanOrEqualTo(0));
        if (form == LipSdpForm.Layer)
            foreach (var (start, size) in new[] { (0, 10), (10, 30), (40, 20) })
                Assert.That(result.Multipliers.Skip(start).Take(size), Is.All.EqualTo(result.Multipliers[start]));
        // the certificate, checked on the matrix as written in the paper, independently of the solver's own check
        Assert.That(MaxEigenvalue(PaperMatrix(net, result.Rho, result.Multipliers)), Is.LessThanOrEqualTo(0));
        // and it is tight: a slightly smaller ρ with the same multipliers is not feasible
        Assert.That(MaxEigenvalue(PaperMatrix(net, result.Rho * (1 - 1e-6), result.Multipliers)), Is.GreaterThan(0));
    }
}
