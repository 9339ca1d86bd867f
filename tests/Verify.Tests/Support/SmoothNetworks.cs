using Verify.Bounds;
using Verify.Branching;
using Verify.Graph;
using Verify.Operators;
using Verify.Spec;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Support;

/// <summary>Random small sigmoid/tanh (optionally mixed with ReLU) networks and margin properties, for the interval splitting tests.</summary>
public static class SmoothNetworks
{
    /// <summary>
    /// A fully connected network with the given widths, float64, sample shape [widths[0]], each hidden layer's
    /// activation drawn from sigmoid and tanh (and ReLU when <paramref name="mixed"/>).
    /// </summary>
    public static ComputationGraph Mlp(int[] widths, int seed, double weightScale = 2.0, bool mixed = false)
    {
        var gen = new Generator((ulong)seed);
        var rng = new Random(seed);
        var nodes = new List<Node> { new(0, "x", new InputOp(new long[] { widths[0] }), Array.Empty<int>(), new long[] { widths[0] }) };
        for (int l = 1; l < widths.Length; l++)
        {
            var w = torch.randn(widths[l], widths[l - 1], generator: gen, dtype: ScalarType.Float64) * (weightScale / Math.Sqrt(widths[l - 1]));
            var b = torch.randn(widths[l], generator: gen, dtype: ScalarType.Float64) * 0.3;
            nodes.Add(new Node(nodes.Count, $"fc{l}", new Linear(w, b), new[] { nodes.Count - 1 }, new long[] { widths[l] }));
            if (l == widths.Length - 1) break;
            Operator act = rng.Next(mixed ? 3 : 2) switch { 0 => new Sigmoid(), 1 => new Tanh(), _ => new Relu() };
            nodes.Add(new Node(nodes.Count, $"act{l}", act, new[] { nodes.Count - 1 }, new long[] { widths[l] }));
        }
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }

    /// <summary>The property "Y_0 − Y_1 &lt;= threshold is unreachable" on the box [lo, hi], as a batch in float64.</summary>
    public static SpecBatch Margin(double[] lo, double[] hi, int outputs, double threshold)
    {
        var text = VnnlibText.Of(lo, hi, outputs, new[] { new[] { new VnnlibText.Atom(0, 1, false, threshold) } });
        return SpecBatch.From(VnnlibReader.Parse(text, "test", lo.Length, outputs), CPU, ScalarType.Float64);
    }

    /// <summary>The sampled minimum and maximum of Y_0 − Y_1 over the box, from <paramref name="samples"/> uniform points and the corners of one diagonal.</summary>
    public static (double Min, double Max) SampledRange(ComputationGraph g, double[] lo, double[] hi, int samples, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var box = new IntervalBounds(torch.tensor(lo, dtype: ScalarType.Float64).unsqueeze(0), torch.tensor(hi, dtype: ScalarType.Float64).unsqueeze(0));
        var xs = RandomNetworks.Samples(box, samples, seed)[0];
        var y = g.Forward(xs).reshape(samples, -1);
        var m = y[.., 0] - y[.., 1];
        return (m.min().item<double>(), m.max().item<double>());
    }

    /// <summary>A confirmation by our own float64 forward pass: the point is a counterexample when it reaches the unsafe set.</summary>
    public static Func<int, double[], Counterexample?> ConfirmByForward(ComputationGraph g, SpecBatch spec) => (c, x) =>
    {
        using var scope = torch.NewDisposeScope();
        var y = g.Forward(torch.tensor(x, dtype: ScalarType.Float64).unsqueeze(0)).reshape(1, -1);
        var v = spec.Violation(y, torch.tensor(new long[] { (long)c * spec.Disjuncts }));
        return v.item<double>() <= 0 ? new Counterexample(x, y[0].data<double>().ToArray(), c, 0) : null;
    };

    /// <summary>CROWN's intermediate bounds of the property's boxes and its open disjuncts with their CROWN lower bounds.</summary>
    public static (IntervalBounds[] Root, long[] Open, double[] OpenLower) Root(ComputationGraph g, SpecBatch spec)
    {
        var root = BoundComputer.Intermediate(g, new IntervalBounds(spec.Lower, spec.Upper), new BoundOptions());
        var lb = BoundComputer.SpecLower(g, root, spec.C, spec.Bias, BoundMethod.Crown);
        var lowers = Verifier.DisjunctLowers(spec, lb);
        var open = Enumerable.Range(0, lowers.Length).Where(i => !(lowers[i] > 0)).Select(i => (long)i).ToArray();
        return (root, open, open.Select(i => lowers[i]).ToArray());
    }
}
