using MathNet.Numerics.LinearAlgebra;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using Verify.Tests.Support;
using static Verify.Tests.Lipschitz.SdpTestNetworks;

namespace Verify.Tests.Lipschitz;

/// <summary>LipSDP on small random networks: between sampled gradient norms and the naive bound, certified, ordered.</summary>
public class SdpSoundnessTests
{
    static readonly int[][] Shapes = { new[] { 3, 6, 2 }, new[] { 4, 8, 6, 3 }, new[] { 2, 5, 7, 5, 2 }, new[] { 12, 5, 4 }, new[] { 16, 16, 16, 10 } };

    static IEnumerable<TestCaseData> Cases()
    {
        for (int s = 0; s < Shapes.Length; s++)
            foreach (var method in new[] { LipSdpMethod.FirstOrder, LipSdpMethod.CuttingPlane })
                yield return new TestCaseData(s, method, 10 + s);
    }

    [TestCaseSource(nameof(Cases))]
    public void BoundLiesBetweenSampledGradientsAndNaiveAndIsCertified(int shape, LipSdpMethod method, int seed)
    {
        var net = Random(Shapes[shape], seed);
        double naive = NaiveLipschitz.SpectralNormProduct(net);
        double sampled = SampledJacobianNorm(net, 3000, seed);
        var neuron = LipSdpSolver.Solve(net, new LipSdpOptions(LipSdpForm.Neuron, method));
        var layer = LipSdpSolver.Solve(net, new LipSdpOptions(LipSdpForm.Layer, method));
        foreach (var r in new[] { neuron, layer })
        {
            Assert.That(r.Upper, Is.GreaterThanOrEqualTo(sampled));
            Assert.That(r.Upper, Is.LessThanOrEqualTo(naive * (1 + 1e-9)));
            Assert.That(r.LowerRelaxation, Is.LessThanOrEqualTo(r.Upper));
            Assert.That(MaxEigenvalue(PaperMatrix(net, r.Rho, r.Multipliers)), Is.LessThanOrEqualTo(0));
        }
        Assert.That(neuron.Upper, Is.LessThanOrEqualTo(layer.Upper * (1 + 1e-5)), "Neuron has more freedom than Layer");
        Assert.That(neuron.Upper, Is.LessThanOrEqualTo(neuron.LowerRelaxation * (1 + 1e-3)), "solved to a small gap");
    }

    [Test]
    public void BothMethodsReachTheSameOptimum()
    {
        var net = Random(new[] { 4, 8, 6, 3 }, 7);
        var first = LipSdpSolver.Solve(net, new LipSdpOptions(LipSdpForm.Neuron, LipSdpMethod.FirstOrder));
        var cut = LipSdpSolver.Solve(net, new LipSdpOptions(LipSdpForm.Neuron, LipSdpMethod.CuttingPlane));
        Assert.That(first.Upper, Is.EqualTo(cut.Upper).Within(1e-3).Percent);
        // each method's LP lower bound is below the other's certified bound
        Assert.That(first.LowerRelaxation, Is.LessThanOrEqualTo(cut.Upper));
        Assert.That(cut.LowerRelaxation, Is.LessThanOrEqualTo(first.Upper));
    }

    [Test]
    public void LinearNetworkGivesExactlyTheSpectralNorm()
    {
        var w = new double[,] { { 1, 2, 0 }, { -1, 0.5, 3 } };
        double norm = Matrix<double>.Build.DenseOfArray(w).L2Norm();
        var net = DenseNetwork.FromWeights(new[] { w });
        foreach (var form in new[] { LipSdpForm.Neuron, LipSdpForm.Layer })
        {
            var r = LipSdpSolver.Solve(net, new LipSdpOptions(form));
            Assert.That(r.Upper, Is.EqualTo(norm).Within(1e-9).Percent);
            Assert.That(r.Upper, Is.GreaterThanOrEqualTo(norm));
        }
    }

    [Test]
    public void OneNeuronPerLayerChainIsExact()
    {
        // f(x) = c · relu(b · relu(a·x)) with a, b, c > 0 is linear with slope abc on x > 0: L = abc, as LipSDP finds
        var net = DenseNetwork.FromWeights(new[] { new double[,] { { 2 } }, new double[,] { { 3 } }, new double[,] { { 0.5 } } });
        var r = LipSdpSolver.Solve(net, new LipSdpOptions(LipSdpForm.Neuron));
        Assert.That(r.Upper, Is.EqualTo(3).Within(1e-4).Percent);
        Assert.That(r.Upper, Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void GraphNetworkWithBiasesIsBoundedLikeItsWeights()
    {
        var graph = RandomNetworks.Mlp(new[] { 5, 7, 6, 3 }, seed: 3);
        var net = DenseNetwork.FromGraph(graph);
        var r = LipSdpSolver.Solve(net);
        Assert.That(r.Upper, Is.GreaterThanOrEqualTo(SampledJacobianNorm(net, 3000, 1)));
        Assert.That(r.Upper, Is.LessThan(NaiveLipschitz.SpectralNormProduct(net)));
        Assert.That(MaxEigenvalue(PaperMatrix(net, r.Rho, r.Multipliers)), Is.LessThanOrEqualTo(0));
    }

    [Test]
    public void UnsupportedActivationIsAClearError()
    {
        var w = new double[,] { { 1 } };
        var net = new DenseNetwork(new[] { new DenseLayer(w, new double[1], new CubeActivation()), new DenseLayer(w, new double[1], null) });
        var e = Assert.Throws<VerifyException>(() => LipSdpSolver.Solve(net));
        Assert.That(e!.Message, Does.Contain("slope-restricted"));
    }
}
