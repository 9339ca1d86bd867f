using Verify.Bounds;
using Verify.Graph;
using Verify.Import;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>
/// Forward linear bounds (<see cref="ForwardPass"/>): every node's bounds contain the values sampled points take,
/// on the ONNX test models (every operator) and random MLPs in float32 and float64; on an affine network they are
/// the exact ranges.
/// </summary>
public class ForwardPassTests
{
    const int Batch = 3;
    const int SampleCount = 500;

    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-forward-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static IEnumerable<TestCaseData> Cases()
    {
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            foreach (var name in TestModels.Names) yield return new TestCaseData(name, dtype);
            yield return new TestCaseData("mlp 4-12-10-3", dtype);
            yield return new TestCaseData("mlp 2-8-8-8-8-2", dtype);
        }
    }

    ComputationGraph Network(string name) => name.StartsWith("mlp ")
        ? RandomNetworks.Mlp(name[4..].Split('-').Select(int.Parse).ToArray(), 17, weightScale: 1.6)
        : OnnxImporter.Load(TestModels.Write(name, dir).Path);

    [TestCaseSource(nameof(Cases))]
    public void EveryNodeBoundContainsSampledValues(string name, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var g = Network(name).To(CPU, dtype);
        int n = (int)g.InputSize;
        double tol = dtype == ScalarType.Float32 ? 1e-5 : 1e-10;
        foreach (var radius in new[] { 0.05, 0.3, 1.0 })
        {
            var box64 = RandomNetworks.Box(Batch, n, radius, 31);
            var box = new IntervalBounds(box64.Lower.to_type(dtype), box64.Upper.to_type(dtype));
            var bounds = ForwardPass.Intermediate(g, box);
            var xs = RandomNetworks.Samples(box, SampleCount, 32);
            var values = g.ForwardAll(xs.reshape(new[] { (long)Batch * SampleCount }.Concat(g.InputShape).ToArray()));
            for (int i = 0; i <= g.OutputIndex; i++)
            {
                var v = values[i].reshape(Batch, SampleCount, -1);
                var lo = bounds[i].Lower.reshape(Batch, 1, -1);
                var hi = bounds[i].Upper.reshape(Batch, 1, -1);
                var slack = tol * (1 + v.abs());
                Assert.That((v - lo + slack).min().to_type(ScalarType.Float64).item<double>(), Is.GreaterThanOrEqualTo(0), $"{name} node {g.Nodes[i].Name} lower, radius {radius}");
                Assert.That((hi - v + slack).min().to_type(ScalarType.Float64).item<double>(), Is.GreaterThanOrEqualTo(0), $"{name} node {g.Nodes[i].Name} upper, radius {radius}");
            }
        }
    }

    [Test]
    public void BoundsOfAnAffineNetworkAreItsExactRanges()
    {
        using var scope = torch.NewDisposeScope();
        var g = RandomNetworks.Mlp(new[] { 4, 9, 7, 3 }, 23, weightScale: 1.6, relu: false);
        var box = RandomNetworks.Box(Batch, 4, 0.7, 24);
        var bounds = ForwardPass.Intermediate(g, box);
        // Every node is affine in x, so its range over the box is attained at corners: enumerate all 16.
        var bits = torch.tensor(Enumerable.Range(0, 16).SelectMany(k => Enumerable.Range(0, 4).Select(i => (double)((k >> i) & 1))).ToArray(),
            dtype: ScalarType.Float64).reshape(1, 16, 4);
        var corners = box.Lower.unsqueeze(1) + (box.Upper - box.Lower).unsqueeze(1) * bits;
        var values = g.ForwardAll(corners.reshape(Batch * 16, 4));
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            var v = values[i].reshape(Batch, 16, -1);
            var (min, max) = (v.amin(1), v.amax(1));
            var scale = 1 + v.abs().amax(1);
            Assert.That(((bounds[i].Lower.reshape(Batch, -1) - min).abs() / scale).max().item<double>(), Is.LessThan(1e-12), $"node {g.Nodes[i].Name} lower");
            Assert.That(((bounds[i].Upper.reshape(Batch, -1) - max).abs() / scale).max().item<double>(), Is.LessThan(1e-12), $"node {g.Nodes[i].Name} upper");
        }
    }
}
