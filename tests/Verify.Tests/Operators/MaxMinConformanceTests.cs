using Verify.Bounds;
using Verify.Graph;
using Verify.Import;
using Verify.Operators;
using Verify.Tests.Lipschitz;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Operators;

/// <summary>
/// The MaxMin sub-graphs the importer fuses (Split/Slice → Max, Min → Concat; Reshape → ReduceMax, ReduceMin → Concat)
/// through the operator conformance harness (forward vs ONNX Runtime; IBP, CROWN, alpha-CROWN contain 1064 samples per
/// box), the Householder operator's bounds against samples, and the import errors of unsupported variants.
/// </summary>
public class MaxMinConformanceTests
{
    static IEnumerable<TestCaseData> Cases() => new[]
    {
        new OperatorCase("MaxMin-split", "Max", false, c => GroupSortNetworks.MaxMinNode(c.B, c.Variable(1, 6), 6, MaxMinForm.Split, "mm"), 6),
        new OperatorCase("MaxMin-slices-min-first", "Min", false, c => GroupSortNetworks.MaxMinNode(c.B, c.Variable(1, 8), 8, MaxMinForm.SliceMinFirst, "mm"), 8),
        new OperatorCase("MaxMin-reduce", "ReduceMax", false, c => GroupSortNetworks.MaxMinNode(c.B, c.Variable(1, 6), 6, MaxMinForm.Reduce, "mm"), 6),
    }.Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void FusedMaxMinMatchesOnnxRuntimeAndItsBoundsContainSamples(OperatorCase op)
    {
        var harness = new OperatorConformanceTests();
        harness.CreateDir();
        try { harness.ForwardMatchesOnnxRuntimeAndBoundsContainSampledOutputs(op); }
        finally { harness.RemoveDir(); }
    }

    [Test]
    public void ImportFusesThePatternIntoOneMaxMinNode()
    {
        var dir = Directory.CreateTempSubdirectory("verify-maxmin-").FullName;
        try
        {
            foreach (var form in Enum.GetValues<MaxMinForm>())
            {
                var path = GroupSortNetworks.WriteOnnx(new List<double[,]> { GroupSortNetworks.Gaussian(6, 3, 1), GroupSortNetworks.Gaussian(2, 6, 2) },
                    Path.Combine(dir, $"{form}.onnx"), form);
                var g = OnnxImporter.Load(path);
                Assert.That(g.Nodes.Count(n => n.Op is Householder { IsMaxMin: true }), Is.EqualTo(1), $"{form}");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void UnsupportedVariantsAreOneLineErrorsNamingTheNode()
    {
        var dir = Directory.CreateTempSubdirectory("verify-maxmin-bad-").FullName;
        try
        {
            // a lone Max of two values stays unsupported
            var b = new OnnxModelBuilder("lone");
            var x = b.Input("x", new long[] { 1, 4 });
            var h1 = b.Node("Gemm", new[] { x, b.Initializer("w1", torch.randn(4, 4)) }, "g1");
            var h2 = b.Node("Gemm", new[] { x, b.Initializer("w2", torch.randn(4, 4)) }, "g2");
            var m = b.Node("Max", new[] { h1, h2 }, "lone_max");
            b.Output(m, new long[] { 1, 4 });
            var lone = Path.Combine(dir, "lone.onnx");
            b.Save(lone);
            var e = Assert.Throws<VerifyException>(() => OnnxImporter.Load(lone))!;
            Assert.That(e.Message, Does.Contain("Max (nodes: lone_max)"));
            // the pattern on a non-last axis is recognised but rejected with the Concat's name
            var c = new OnnxModelBuilder("axis");
            var y = c.Input("x", new long[] { 1, 4 });
            var r = c.Node("Reshape", new[] { c.Node("Gemm", new[] { y, c.Initializer("w", torch.randn(4, 4)) }, "g"), c.Initializer("s", torch.tensor(new long[] { 1, 2, 2 })) }, "r");
            var first = c.Node("Split", new[] { r, c.Initializer("sp", torch.tensor(new long[] { 1, 1 })) }, "split", ("axis", 1L));
            c.Model.Graph.Node[^1].Output.Add("second");
            var mx = c.Node("Max", new[] { first, "second" }, "mx");
            var mn = c.Node("Min", new[] { first, "second" }, "mn");
            var cat = c.Node("Concat", new[] { mx, mn }, "cat", ("axis", 1L));
            c.Output(cat, new long[] { 1, 2, 2 });
            var axis = Path.Combine(dir, "axis.onnx");
            c.Save(axis);
            var e2 = Assert.Throws<VerifyException>(() => OnnxImporter.Load(axis))!;
            Assert.That(e2.Message, Does.Contain("node 'cat' (Concat)").And.Contain("last axis"));
            Assert.That(e2.Message, Does.Not.Contain("\n"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void HouseholderBoundsContainSampledValues(bool maxMin)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new Generator(5);
        var act = maxMin ? Householder.MaxMin(4) : Householder.Reflections(new[] { 0.3, 2.0, -1.2, 4.0 });
        var nodes = new List<Node>
        {
            new(0, "x", new InputOp(new long[] { 5 }), Array.Empty<int>(), new long[] { 5 }),
            new(1, "fc0", new Linear(torch.randn(new long[] { 8, 5 }, generator: gen, dtype: ScalarType.Float64), torch.randn(new long[] { 8 }, generator: gen, dtype: ScalarType.Float64)), new[] { 0 }, new long[] { 8 }),
            new(2, "act", act, new[] { 1 }, new long[] { 8 }),
            new(3, "fc1", new Linear(torch.randn(new long[] { 3, 8 }, generator: gen, dtype: ScalarType.Float64), null), new[] { 2 }, new long[] { 3 }),
        };
        var g = new ComputationGraph(nodes, 3, "x", "y");
        var centre = torch.randn(new long[] { 3, 5 }, generator: gen, dtype: ScalarType.Float64);
        var radius = torch.tensor(new[] { 0.05, 0.5, 2.0 }, dtype: ScalarType.Float64).unsqueeze(1);
        var box = new IntervalBounds(centre - radius, centre + radius);
        var u = torch.rand(new long[] { 3, 2000, 5 }, generator: gen, dtype: ScalarType.Float64);
        var xs = box.Lower.unsqueeze(1) + (box.Upper - box.Lower).unsqueeze(1) * u;
        var values = g.ForwardAll(xs.reshape(6000, 5));
        foreach (var method in new[] { BoundMethod.Ibp, BoundMethod.Crown })
        {
            var bounds = BoundComputer.Intermediate(g, box, new BoundOptions(method));
            var output = BoundComputer.OutputBounds(g, bounds, method);
            foreach (var (b, v, what) in new[] { (bounds[2], values[2], "activation"), (output, values[3], "output") })
            {
                var y = v.reshape(3, 2000, -1);
                Assert.That((y.amin(1) - b.Lower).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"{method} {what} lower");
                Assert.That((b.Upper - y.amax(1)).min().item<double>(), Is.GreaterThanOrEqualTo(-1e-9), $"{method} {what} upper");
            }
        }
        // the forward pass is the function it claims: x, or its reflection when cᵀx > 0
        var z = torch.randn(new long[] { 50, 8 }, generator: gen, dtype: ScalarType.Float64);
        var fz = act.Forward(new[] { z });
        var pairs = Verify.Lipschitz.PairActivation.Of(act, new long[] { 8 });
        for (int s = 0; s < 50; s++)
        {
            var expected = pairs.Apply(z[s].data<double>().ToArray());
            var got = fz[s].data<double>().ToArray();
            for (int i = 0; i < 8; i++) Assert.That(got[i], Is.EqualTo(expected[i]).Within(1e-12));
            Assert.That(Math.Sqrt(got.Sum(v => v * v)), Is.EqualTo(Math.Sqrt(z[s].data<double>().ToArray().Sum(v => v * v))).Within(1e-9), "norm preserved");
        }
    }
}
