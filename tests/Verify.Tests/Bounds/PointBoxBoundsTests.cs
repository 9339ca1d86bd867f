using Verify.Bounds;
using Verify.Cli.Studies;
using Verify.Graph;
using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>
/// Bounds at point-sized boxes in float32: two sound bounds of one value that cross by rounding must not make an empty
/// interval that the next layers inflate by |W| (a deep net's bounds then exclude the network's own output).
/// </summary>
public class PointBoxBoundsTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-point-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void CrossingIntersectionIsTheGapBetweenTheIntervals()
    {
        var a = new IntervalBounds(torch.tensor(new[] { 1.0, 0.0, double.NaN }), torch.tensor(new[] { 1.0, 2.0, double.NaN }));
        var b = new IntervalBounds(torch.tensor(new[] { 1.5, 0.5, 1.0 }), torch.tensor(new[] { 1.5, 1.0, double.NaN }));
        var r = a.Intersect(b);
        Assert.That(r.Lower.data<double>().ToArray(), Is.EqualTo(new[] { 1.0, 0.5, 1.0 }));
        var upper = r.Upper.data<double>().ToArray();
        Assert.That(upper[0], Is.EqualTo(1.5));
        Assert.That(upper[1], Is.EqualTo(1.0));
        Assert.That(double.IsNaN(upper[2]), "no information on either side stays no information");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void PointBoxBoundsOfADeepNetContainItsOutput(bool crown)
    {
        var (onnx, _) = IndexNetwork.Write(new IndexNetworkOptions(Layers: 16, Wide: 200, Narrow: 120, Boxes: 1, Seed: 3), dir);
        var graph = OnnxImporter.Load(onnx).To(CPU, ScalarType.Float32);
        var exact = graph.To(CPU, ScalarType.Float64);
        var x = torch.rand(64, 1, 1, dtype: ScalarType.Float32, generator: new Generator(11));
        var bounds = FewInputBounds.Intermediate(graph, new IntervalBounds(x, x.clone()), out _, crown, maxCrownMacs: 1e12);
        var values = exact.ForwardAll(x.to_type(ScalarType.Float64));
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            var v = values[i].reshape(64, -1);
            var tol = 1e-3 * (1 + v.abs());
            var lower = bounds[i].Lower.to_type(ScalarType.Float64).reshape(64, -1);
            var upper = bounds[i].Upper.to_type(ScalarType.Float64).reshape(64, -1);
            Assert.That((lower - v - tol).max().item<double>(), Is.LessThanOrEqualTo(0), $"node {i}: lower bound above the value");
            Assert.That((v - upper - tol).max().item<double>(), Is.LessThanOrEqualTo(0), $"node {i}: upper bound below the value");
        }
    }
}
