using Verify.Bounds;
using Verify.Graph;
using Verify.Import;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Operators;

/// <summary>
/// Operator conformance: every ONNX operator type of <see cref="OnnxConverters.Registry"/> has at least one case
/// (<see cref="OperatorConformanceCases"/>), and on each case's tiny model (with and without a Gemm after the
/// operator) the imported graph's forward pass matches ONNX Runtime, and IBP, CROWN and (for nonlinear operators)
/// alpha-CROWN bounds over three input boxes contain the values at the box's 64 corners and 1000 random points, in
/// float32 and float64. For affine operators the whole model is affine, and CROWN must give the exact range, which
/// the test computes from the model's Jacobian (columns f(e_i) - f(0)).
/// </summary>
public class OperatorConformanceTests
{
    const int Random = 1000;
    static readonly double[] Radii = { 0.1, 0.6, 2.0 };
    static readonly OptimizationOptions Alpha = new(Iterations: 15, StallIterations: 15);

    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-conformance-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static IEnumerable<TestCaseData> Cases() =>
        OperatorConformanceCases.All.Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    [Test]
    public void EveryRegisteredOperatorHasAConformanceCase()
    {
        var keys = OnnxConverters.Registry.Keys.ToList();
        Assert.That(keys, Is.Not.Empty);
        var covered = OperatorConformanceCases.All.Select(c => c.OpType).ToHashSet();
        var missing = keys.Where(k => !covered.Contains(k)).Order().ToList();
        Assert.That(missing, Is.Empty, $"registered operators without a conformance case: {string.Join(", ", missing)}");
        var unknown = covered.Where(k => !OnnxConverters.Registry.ContainsKey(k)).ToList();
        Assert.That(unknown, Is.Empty, $"conformance cases of unregistered operators: {string.Join(", ", unknown)}");
        var names = OperatorConformanceCases.All.Select(c => c.Name).ToList();
        Assert.That(names, Is.Unique);
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardMatchesOnnxRuntimeAndBoundsContainSampledOutputs(OperatorCase op)
    {
        int seed = 1000 + OperatorConformanceCases.All.ToList().IndexOf(op) * 10;
        int checkedBounds = 0;
        foreach (bool post in new[] { false, true })
        {
            using var scope = torch.NewDisposeScope();
            var what = $"{op.Name} ({op.OpType}){(post ? " + Gemm" : "")}";
            var path = Path.Combine(dir, $"{op.Name}{(post ? "-post" : "")}.onnx");
            op.Write(path, post, seed);
            AssertTheOperatorHasAVariableInput(path, op, what);
            var graph = OnnxImporter.Load(path);
            long outputs = post ? OperatorCase.PostOutputs : op.Width;
            Assert.That(graph.OutputSize, Is.EqualTo(outputs), $"{what}: output size");
            using (var runner = new OnnxRuntimeRunner(path)) AssertForwardMatches(graph, runner, seed + 1, what);
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
                checkedBounds += AssertBoundsContainSamples(graph.To(torch.CPU, dtype), dtype, op, seed + 2, $"{what}, {dtype}");
        }
        // 2 models × 2 dtypes × (IBP, CROWN, alpha-CROWN when nonlinear, exact range when affine in float64).
        Assert.That(checkedBounds, Is.EqualTo(2 * (2 * (op.Affine ? 2 : 3) + (op.Affine ? 1 : 0))), $"{op.Name}: bound checks run");
    }

    /// <summary>The model holds a node of the operator type with an input that is not an initializer.</summary>
    static void AssertTheOperatorHasAVariableInput(string path, OperatorCase op, string what)
    {
        var model = OnnxModelReader.Load(path);
        var constants = model.Graph.Initializer.Select(i => i.Name).ToHashSet();
        var nodes = model.Graph.Node.Where(n => n.OpType == op.OpType && !n.Name.StartsWith("pre_") && !n.Name.StartsWith("final_")
            && n.Name != "post_gemm").ToList();
        Assert.That(nodes, Has.Count.EqualTo(1), $"{what}: the model's {op.OpType} node");
        Assert.That(nodes[0].Input.Any(i => !constants.Contains(i)), Is.True, $"{what}: the {op.OpType} node has no variable input");
    }

    /// <summary>Our float32 forward pass against ONNX Runtime at random points, relative tolerance 1e-5.</summary>
    static void AssertForwardMatches(ComputationGraph graph, OnnxRuntimeRunner runner, int seed, string what)
    {
        var gen = new Generator((ulong)seed);
        for (int i = 0; i < 12; i++)
        {
            var x = torch.randn(new long[] { OperatorCase.InputSize }, generator: gen, dtype: ScalarType.Float64) * 1.5;
            var point = x.data<double>().ToArray();
            var ours = graph.Forward(x.to_type(ScalarType.Float32).reshape(1, 1, -1)).reshape(-1).to_type(ScalarType.Float64).data<double>().ToArray();
            var theirs = runner.Run(point);
            Assert.That(ours.Length, Is.EqualTo(theirs.Length), $"{what}: output length");
            double scale = 1 + theirs.Max(Math.Abs);
            for (int k = 0; k < ours.Length; k++)
                Assert.That(ours[k], Is.EqualTo(theirs[k]).Within(1e-5 * scale), $"{what}: output {k} at point {i} ({string.Join(", ", point.Select(v => v.ToString("G4")))})");
        }
    }

    /// <summary>Boxes [3, 6] around seeded centres with the radii 0.1, 0.6 and 2.</summary>
    static IntervalBounds Boxes(int seed, ScalarType dtype)
    {
        var gen = new Generator((ulong)seed);
        var centre = torch.randn(new long[] { Radii.Length, OperatorCase.InputSize }, generator: gen, dtype: ScalarType.Float64);
        var radius = torch.tensor(Radii, dtype: ScalarType.Float64).unsqueeze(1);
        return new IntervalBounds((centre - radius).to_type(dtype), (centre + radius).to_type(dtype));
    }

    /// <summary>Per box: its 2^6 corners, then uniform random points: [boxes, 64 + 1000, 6].</summary>
    static Tensor Samples(IntervalBounds box, int seed)
    {
        int n = OperatorCase.InputSize, corners = 1 << n;
        var bits = new double[corners, n];
        for (int k = 0; k < corners; k++)
            for (int j = 0; j < n; j++) bits[k, j] = (k >> j) & 1;
        var gen = new Generator((ulong)seed);
        var u = torch.cat(new[]
        {
            torch.tensor(bits, dtype: ScalarType.Float64).unsqueeze(0).expand(Radii.Length, corners, n),
            torch.rand(new long[] { Radii.Length, Random, n }, generator: gen, dtype: ScalarType.Float64),
        }, 1).to_type(box.Lower.dtype);
        var lo = box.Lower.unsqueeze(1);
        return lo + (box.Upper.unsqueeze(1) - lo) * u;
    }

    /// <summary>Asserts every bound check of the case on one graph; returns how many checks ran.</summary>
    static int AssertBoundsContainSamples(ComputationGraph g, ScalarType dtype, OperatorCase op, int seed, string what)
    {
        int checks = 0;
        double tol = dtype == ScalarType.Float32 ? 2e-5 : 1e-9;
        var box = Boxes(seed, dtype);
        var xs = Samples(box, seed + 1);
        long boxes = xs.shape[0], samples = xs.shape[1];
        var values = g.ForwardAll(xs.reshape(boxes * samples, 1, OperatorCase.InputSize));
        var y = values[g.OutputIndex].reshape(boxes, samples, -1);
        // Per box and output: the sampled range and the slack the tolerance gives.
        var sampledMin = y.amin(1);
        var sampledMax = y.amax(1);
        var slack = tol * (1 + y.abs().amax(1));

        void AssertContains(IntervalBounds b, string method)
        {
            var lowGap = Doubles(sampledMin - b.Lower + slack);
            var highGap = Doubles(b.Upper - sampledMax + slack);
            for (int k = 0; k < lowGap.Length; k++)
            {
                Assert.That(lowGap[k], Is.GreaterThanOrEqualTo(0), $"{what}: {method} lower bound above the sampled minimum (box {k / y.shape[2]}, output {k % y.shape[2]})");
                Assert.That(highGap[k], Is.GreaterThanOrEqualTo(0), $"{what}: {method} upper bound below the sampled maximum (box {k / y.shape[2]}, output {k % y.shape[2]})");
            }
            checks++;
        }

        IntervalBounds crown = default;
        IntervalBounds[] crownIntermediate = Array.Empty<IntervalBounds>();
        foreach (var method in new[] { BoundMethod.Ibp, BoundMethod.Crown })
        {
            var bounds = BoundComputer.Intermediate(g, box, new BoundOptions(method));
            for (int i = 0; i <= g.OutputIndex; i++)
            {
                var v = values[i].reshape(boxes, samples, -1);
                var nodeSlack = tol * (1 + v.abs().amax(1));
                var lo = bounds[i].Lower.reshape(boxes, -1);
                var hi = bounds[i].Upper.reshape(boxes, -1);
                Assert.That(Doubles(v.amin(1) - lo + nodeSlack).Min(), Is.GreaterThanOrEqualTo(0), $"{what}: {method} intermediate lower bound of node {g.Nodes[i].Name} ({g.Nodes[i].Op.OpType})");
                Assert.That(Doubles(hi - v.amax(1) + nodeSlack).Min(), Is.GreaterThanOrEqualTo(0), $"{what}: {method} intermediate upper bound of node {g.Nodes[i].Name} ({g.Nodes[i].Op.OpType})");
            }
            var output = BoundComputer.OutputBounds(g, bounds, method);
            AssertContains(output, method.ToString());
            if (method == BoundMethod.Crown) (crown, crownIntermediate) = (output, bounds);
        }

        long m = g.OutputSize;
        if (!op.Affine)
        {
            // The boxes must make the operator's relaxation inexact somewhere, or the case checks no relaxation.
            var looseness = Doubles((crown.Upper - sampledMax + sampledMin - crown.Lower) / (1 + y.abs().amax(1))).Max();
            Assert.That(looseness, Is.GreaterThan(1e-3), $"{what}: CROWN is exact on every box, so no relaxation was exercised");
            var eye = torch.eye(m, dtype: dtype);
            var c = torch.cat(new[] { eye, -eye }).unsqueeze(0).expand(boxes, 2 * m, m);
            var lb = OptimizedBound.SpecLower(g, crownIntermediate, c, torch.zeros(boxes, 2 * m, dtype: dtype), Alpha);
            var alpha = new IntervalBounds(lb[.., ..(int)m], -lb[.., (int)m..]);
            AssertContains(alpha, "alpha-CROWN");
            // The first iterate is plain CROWN and the best one is kept, so alpha-CROWN is never looser.
            Assert.That(Doubles(alpha.Lower - crown.Lower + slack).Min(), Is.GreaterThanOrEqualTo(0), $"{what}: alpha-CROWN lower bound below CROWN's");
            Assert.That(Doubles(crown.Upper - alpha.Upper + slack).Min(), Is.GreaterThanOrEqualTo(0), $"{what}: alpha-CROWN upper bound above CROWN's");
        }
        else if (dtype == ScalarType.Float64)
        {
            // The model is affine: f(x) = f(0) + J x, J's columns f(e_i) - f(0), and its range over the box is
            // f(centre) ± |J| radius. CROWN must find exactly that.
            int n = OperatorCase.InputSize;
            var basis = torch.cat(new[] { torch.zeros(1L, n, dtype: dtype), torch.eye(n, dtype: dtype) });
            var f = g.Forward(basis.reshape(n + 1, 1, n)).reshape(n + 1, -1);
            var jacobian = f[1..] - f[0];                                    // [n, m]
            var centre = (box.Lower + box.Upper) / 2;
            var radius = (box.Upper - box.Lower) / 2;
            var mid = g.Forward(centre.reshape(boxes, 1, n)).reshape(boxes, -1);
            var spread = radius.matmul(jacobian.abs());
            var scale = 1 + mid.abs().amax(new long[] { 1 }, keepdim: true) + spread;
            var lowError = Doubles((crown.Lower - (mid - spread)).abs() / scale);
            var highError = Doubles((crown.Upper - (mid + spread)).abs() / scale);
            Assert.That(lowError.Max(), Is.LessThan(1e-8), $"{what}: CROWN lower bound of an affine model is not exact");
            Assert.That(highError.Max(), Is.LessThan(1e-8), $"{what}: CROWN upper bound of an affine model is not exact");
            // The corners attain the range of an affine map, so the sampled extremes are the exact ones too.
            Assert.That(Doubles((sampledMin - (mid - spread)).abs() / scale).Max(), Is.LessThan(1e-8), $"{what}: sampled minimum of an affine model");
            checks++;
        }
        return checks;
    }

    static double[] Doubles(Tensor t) => t.reshape(-1).to_type(ScalarType.Float64).data<double>().ToArray();
}
