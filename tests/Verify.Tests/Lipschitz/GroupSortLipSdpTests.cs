using MathNet.Numerics.LinearAlgebra;
using Verify.Import;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using Verify.Tests.Support;
using static Verify.Tests.Lipschitz.GroupSortNetworks;

namespace Verify.Tests.Lipschitz;

/// <summary>
/// LipSDP with the pair (MaxMin, Householder) quadratic constraints: the orthogonal MaxMin network's bound is 1 (its
/// every Jacobian is orthogonal), the residual-ReLU rewrite of the same function gets a larger bound, and on random
/// nets the sampled ‖J(x)‖₂ ≤ the certified bound ≤ the product of spectral norms, with M(ρ, λ) passing the Cholesky check.
/// </summary>
public class GroupSortLipSdpTests
{
    static readonly LipSdpOptions Options = new(TimeLimitSeconds: 5);

    static List<double[,]> OrthogonalWeights(int seed) => new() { Orthogonal(8, 8, seed), Orthogonal(8, 8, seed + 1), Orthogonal(8, 8, seed + 2), Orthogonal(4, 8, seed + 3) };

    static void AssertCertified(DenseNetwork net, LipSdpResult r, string what)
    {
        var problem = LipSdpProblem.From(net, r.Form);
        Assert.That(LipSdpCertificate.IsNegativeSemidefinite(problem.Matrix(r.Rho, r.Multipliers)), Is.True, $"{what}: M(ρ, λ) is not NSD");
        Assert.That(r.Upper, Is.EqualTo(Math.Sqrt(r.Rho)).Within(1e-12 * r.Upper), what);
        Assert.That(r.LowerRelaxation, Is.LessThanOrEqualTo(r.Upper * (1 + 1e-9)), $"{what}: LP lower bound above the certified bound");
    }

    [Test]
    public void OrthogonalMaxMinNetworkHasBoundOneWhileItsResidualReluRewriteDoesNot()
    {
        var weights = OrthogonalWeights(3);
        var net = MaxMin(weights);
        // every Jacobian is (orthonormal rows)·P·Q·P·Q, so each sampled norm is 1
        double sampled = GlobalL2Analysis.SampledJacobianNorm(net, null, null, 300, 1);
        Assert.That(sampled, Is.EqualTo(1).Within(1e-9));
        foreach (var form in new[] { LipSdpForm.Neuron, LipSdpForm.Layer })
        {
            var r = LipSdpSolver.Solve(net, Options with { Form = form });
            Assert.That(r.Upper, Is.InRange(1.0, 1 + 1e-3), $"{form}");
            AssertCertified(net, r, $"orthogonal MaxMin, {form}");
        }
        // just below 1 no multipliers can work: the certificate check rejects it
        var neuron = LipSdpSolver.Solve(net, Options);
        Assert.That(LipSdpCertificate.IsNegativeSemidefinite(LipSdpProblem.From(net, LipSdpForm.Neuron).Matrix(0.999, neuron.Multipliers)), Is.False);

        var rewrite = ResidualReluRewrite(weights);
        var rng = new Random(4);
        for (int s = 0; s < 50; s++)
        {
            var x = Enumerable.Range(0, 8).Select(_ => 4 * rng.NextDouble() - 2).ToArray();
            var a = net.Evaluate(x);
            var b = rewrite.Evaluate(x);
            for (int i = 0; i < a.Length; i++) Assert.That(b[i], Is.EqualTo(a[i]).Within(1e-12), "the rewrite computes the same function");
        }
        var relu = LipSdpSolver.Solve(rewrite, Options);
        AssertCertified(rewrite, relu, "residual-ReLU rewrite");
        Assert.That(relu.Upper, Is.GreaterThan(1.2), "LipSDP-Neuron on the ReLU rewrite");
    }

    static IEnumerable<TestCaseData> RandomNets() =>
        new[] { 1, 2, 3 }.Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(RandomNets))]
    public void RandomGroupSortNetsSampledNormStaysBelowTheBoundBelowTheNormProduct(int seed)
    {
        var weights = new[] { Gaussian(8, 4, 10 * seed), Gaussian(8, 8, 10 * seed + 1), Gaussian(2, 8, 10 * seed + 2) };
        foreach (var (net, kind) in new[] { (MaxMin(weights), "MaxMin"), (Householders(weights, seed), "Householder") })
        {
            double naive = NaiveLipschitz.SpectralNormProduct(net);
            double sampled = GlobalL2Analysis.SampledJacobianNorm(net, null, null, 2000, seed);
            foreach (var form in new[] { LipSdpForm.Neuron, LipSdpForm.Layer })
            {
                var r = LipSdpSolver.Solve(net, Options with { Form = form });
                string what = $"{kind} seed {seed} {form}";
                Assert.That(r.Upper, Is.GreaterThanOrEqualTo(sampled * (1 - 1e-12)), what);
                // at worst the certified starting point: ρ ≤ (1+1e-3)^(layers) · naive²
                Assert.That(r.Upper, Is.LessThanOrEqualTo(naive * Math.Pow(1.001, 1.5)), what);
                AssertCertified(net, r, what);
            }
        }
    }

    [Test]
    public void PairJacobianMatchesFiniteDifferences()
    {
        var net = Householders(new[] { Gaussian(6, 3, 5), Gaussian(2, 6, 6) }, 7);
        var rng = new Random(8);
        for (int s = 0; s < 20; s++)
        {
            var x = Enumerable.Range(0, 3).Select(_ => 2 * rng.NextDouble() - 1).ToArray();
            var j = GlobalL2Analysis.JacobianAt(net, x);
            for (int c = 0; c < 3; c++)
            {
                const double h = 1e-7;
                var plus = (double[])x.Clone(); plus[c] += h;
                var minus = (double[])x.Clone(); minus[c] -= h;
                var fp = net.Evaluate(plus);
                var fm = net.Evaluate(minus);
                for (int r = 0; r < 2; r++) Assert.That(j[r, c], Is.EqualTo((fp[r] - fm[r]) / (2 * h)).Within(1e-5));
            }
        }
    }

    [Test]
    public void LipSdpRunsOnImportedMaxMinOnnxModelsOfEveryForm()
    {
        var dir = Directory.CreateTempSubdirectory("verify-groupsort-").FullName;
        try
        {
            foreach (var form in Enum.GetValues<MaxMinForm>())
            {
                var weights = OrthogonalWeights(20);
                var path = WriteOnnx(weights, Path.Combine(dir, $"{form}.onnx"), form);
                var dense = DenseNetwork.FromGraph(OnnxImporter.Load(path));
                Assert.That(dense.Layers.Count(l => l.Pairs is not null), Is.EqualTo(3), $"{form}: MaxMin layers");
                var r = LipSdpSolver.Solve(dense, Options with { TimeLimitSeconds = 2 });
                // float32 weights are orthogonal only to ~1e-7
                Assert.That(r.Upper, Is.InRange(1 - 1e-5, 1 + 2e-3), $"{form}");
                Assert.That(GlobalL2Analysis.SampledJacobianNorm(dense, null, null, 200, 2), Is.EqualTo(1).Within(1e-5), $"{form}: sampled");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void CliReportsLipSdpForAMaxMinModelAndRejectsLocalMethods()
    {
        var dir = Directory.CreateTempSubdirectory("verify-groupsort-cli-").FullName;
        try
        {
            var path = WriteOnnx(OrthogonalWeights(30), Path.Combine(dir, "maxmin.onnx"), MaxMinForm.Split);
            var o = CliRunner.Run("lipschitz", path, "--method", "lipsdp", "--timeout", "2");
            Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
            Assert.That(o.Stdout, Does.Contain("lipsdp-neuron"));
            var bad = CliRunner.Run("lipschitz", path, "--method", "crown", "--center", path, "--eps", "0.1");
            Assert.That(bad.ExitCode, Is.EqualTo(2), bad.Stderr + bad.Stdout);
            Assert.That(bad.Stderr, Does.Contain("MaxMin/Householder layers"));
            Assert.That(bad.Stderr.Trim().Split('\n').Length, Is.EqualTo(1), bad.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void LinfVariantBoundsTheSampledGradientL1NormsOfEveryOutput()
    {
        var weights = new List<double[,]> { Gaussian(8, 4, 41), Gaussian(8, 8, 42), Gaussian(2, 8, 43) };
        var net = MaxMin(weights);
        var linf = LinfLipSdp.Solve(net, Options with { TimeLimitSeconds = 2 });
        var rng = new Random(44);
        var sampled = new double[2];
        for (int s = 0; s < 2000; s++)
        {
            var x = Enumerable.Range(0, 4).Select(_ => 4 * rng.NextDouble() - 2).ToArray();
            var j = GlobalL2Analysis.JacobianAt(net, x);
            for (int o = 0; o < 2; o++) sampled[o] = Math.Max(sampled[o], Enumerable.Range(0, 4).Sum(c => Math.Abs(j[o, c])));
        }
        for (int o = 0; o < 2; o++)
        {
            var row = new double[1, 8];
            for (int c = 0; c < 8; c++) row[0, c] = weights[2][o, c];
            var l2 = LipSdpSolver.Solve(MaxMin(new List<double[,]> { weights[0], weights[1], row }), Options with { TimeLimitSeconds = 2 });
            Assert.That(linf.PerOutput[o], Is.GreaterThanOrEqualTo(sampled[o]), $"output {o}: sampled ‖∇f‖₁");
            // never worse than the l2 bound times √n (one of the candidates), up to the certificate margin
            Assert.That(linf.PerOutput[o], Is.LessThanOrEqualTo(2 * l2.Upper * (1 + 1e-3)), $"output {o}: √n · l2");
        }
        Assert.That(linf.Bound, Is.EqualTo(linf.PerOutput.Max()));
    }
}
