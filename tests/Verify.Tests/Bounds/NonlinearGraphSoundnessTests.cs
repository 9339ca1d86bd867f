using NUnit.Framework;
using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>
/// Whole graphs with MaxPool, Sigmoid and Tanh: every node's IBP or CROWN bound, and the output bound, contains the
/// values the forward pass takes at points sampled in the input box.
/// </summary>
public class NonlinearGraphSoundnessTests
{
    const int Batch = 3;
    const int Samples = 600;

    static IEnumerable<TestCaseData> Cases()
    {
        foreach (var net in new[] { "cnn-relu", "cnn-sigmoid", "mlp" })
            foreach (var method in new[] { BoundMethod.Ibp, BoundMethod.Crown })
                foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
                    yield return new TestCaseData(net, method, dtype);
    }

    [TestCaseSource(nameof(Cases))]
    public void EveryNodeBoundContainsSampledValues(string net, BoundMethod method, ScalarType dtype)
    {
        for (int seed = 0; seed < 3; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var g = Build(net, seed).To(torch.CPU, dtype);
            int n = (int)g.InputSize;
            foreach (var radius in new[] { 0.05, 0.5, 3.0 })
            {
                var box64 = RandomNetworks.Box(Batch, n, radius, seed + 100);
                var box = new IntervalBounds(box64.Lower.to_type(dtype), box64.Upper.to_type(dtype));
                var bounds = BoundComputer.Intermediate(g, box, new BoundOptions(method));
                var xs = RandomNetworks.Samples(box, Samples, seed + 200);
                var values = g.ForwardAll(xs.reshape(-1, n));
                double tol = dtype == ScalarType.Float32 ? 1e-5 : 1e-10;
                for (int i = 0; i <= g.OutputIndex; i++)
                {
                    var v = values[i].reshape(Batch, Samples, -1);
                    var lo = bounds[i].Lower.reshape(Batch, 1, -1);
                    var hi = bounds[i].Upper.reshape(Batch, 1, -1);
                    var slack = tol * (1 + v.abs());
                    Assert.That(Min(v - lo + slack), Is.GreaterThanOrEqualTo(0), $"{net} node {g.Nodes[i].Name} lower, seed {seed}, radius {radius}");
                    Assert.That(Min(hi - v + slack), Is.GreaterThanOrEqualTo(0), $"{net} node {g.Nodes[i].Name} upper, seed {seed}, radius {radius}");
                }
                var output = BoundComputer.OutputBounds(g, bounds, method);
                var y = values[g.OutputIndex].reshape(Batch, Samples, -1);
                var ySlack = tol * (1 + y.abs());
                Assert.That(Min(y - output.Lower.unsqueeze(1) + ySlack), Is.GreaterThanOrEqualTo(0), $"{net} output lower, seed {seed}, radius {radius}");
                Assert.That(Min(output.Upper.unsqueeze(1) - y + ySlack), Is.GreaterThanOrEqualTo(0), $"{net} output upper, seed {seed}, radius {radius}");
            }
        }
    }

    [TestCase("cnn-relu")]
    [TestCase("cnn-sigmoid")]
    [TestCase("mlp")]
    public void CrownOutputBoundsHaveFiniteGradientsWithRespectToTheBox(string net)
    {
        using var scope = torch.NewDisposeScope();
        var g = Build(net, 5);
        var box = RandomNetworks.Box(Batch, (int)g.InputSize, 0.5, 6);
        var lower = box.Lower.clone().requires_grad_(true);
        var upper = box.Upper.clone().requires_grad_(true);
        var bounds = BoundComputer.Intermediate(g, new IntervalBounds(lower, upper), BoundOptions.Crown);
        var output = BoundComputer.OutputBounds(g, bounds, BoundMethod.Crown);
        (output.Upper - output.Lower).sum().backward();
        foreach (var (t, what) in new[] { (lower, "lower"), (upper, "upper") })
        {
            Assert.That(t.grad, Is.Not.Null, $"no gradient reaches the box's {what} bound");
            Assert.That(torch.isfinite(t.grad!).all().item<bool>(), Is.True, $"the gradient of the box's {what} bound is not finite");
            Assert.That(t.grad!.abs().sum().item<double>(), Is.GreaterThan(0), $"the gradient of the box's {what} bound is zero");
        }
    }

    static ComputationGraph Build(string net, int seed) => net switch
    {
        "cnn-relu" => NonlinearNetworks.SmallCnn(new Relu(), seed),
        "cnn-sigmoid" => NonlinearNetworks.SmallCnn(new Sigmoid(), seed),
        _ => NonlinearNetworks.SShapedMlp(new[] { 4, 12, 10, 3 }, seed),
    };

    static double Min(Tensor t) => t.min().to_type(ScalarType.Float64).item<double>();
}
