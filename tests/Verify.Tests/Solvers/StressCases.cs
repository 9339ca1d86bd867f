using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using Verify.Solvers;
using Verify.SolverHost;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Solvers;

/// <summary>
/// Random big-M MIPs of the kinds the engine solves: a verification MIP (min c·y + d over the box, one unstable neuron
/// split to a sign, as beta-CROWN's sub-problems and the leaf decisions are) on small random ReLU networks, with the
/// CROWN bounds that set the big-M constants loosened by random relative amounts, so that the numbers fed to SCIP
/// vary as they do between machines.
/// </summary>
static class StressCases
{
    /// <summary>One MIP: the network, the box, its (loosened) bounds, the split neuron and the objective.</summary>
    public sealed record Case(int Seed, ComputationGraph G, double[] Lo, double[] Hi, IntervalBounds[] Bounds, int Node, int Element, int Sign,
        double[] C, double Offset);

    /// <summary>
    /// Seeds whose MIP stopped SCIP with error −9 (a bound change of a multi-aggregated variable, in the randrounding and
    /// conflictdiving heuristics' probing and in varbound propagation) when multi-aggregation was allowed: 5 of the
    /// first 750 of <see cref="SolverFaultHunt"/>, on this project's machine.
    /// </summary>
    public static readonly int[] ScipErrorSeeds = { 109, 389, 498, 670, 746 };

    /// <summary>How much a seed's bounds are loosened: 0, 1e-7, 1e-4 or 1e-2 of their size, in turn.</summary>
    public static double Loosening(int seed) => new[] { 0.0, 1e-7, 1e-4, 1e-2 }[seed % 4];

    static readonly string[] Shapes = { "3-8-8-8-2", "4-12-10-3", "5-16-12-8-2", "2-10-10-10-1", "6-12-12-4" };

    /// <summary>The case of a seed: shape, weights, box, loosening, split neuron and objective all follow from it.</summary>
    public static Case Make(int seed, double loosen)
    {
        var rng = new Random(seed);
        var widths = Shapes[seed % Shapes.Length].Split('-').Select(int.Parse).ToArray();
        var g = RandomNetworks.Mlp(widths, 7000 + seed, weightScale: 1.6);
        using var scope = torch.NewDisposeScope();
        var box = RandomNetworks.Box(1, widths[0], 0.3 + 0.4 * rng.NextDouble(), 9000 + seed);
        var crown = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
        var bounds = crown.Select(b => Loosen(b, rng, loosen)).ToArray();
        var unstable = new List<(int Node, int Element)>();
        foreach (var n in g.Nodes.Where(n => n.Op is Relu))
        {
            int pre = n.Inputs[0];
            var lo = SolverTestNetworks.Row(bounds[pre].Lower);
            var hi = SolverTestNetworks.Row(bounds[pre].Upper);
            for (int k = 0; k < lo.Length; k++) if (lo[k] < 0 && hi[k] > 0) unstable.Add((pre, k));
        }
        var (node, element) = unstable.Count > 0 ? unstable[rng.Next(unstable.Count)] : (-1, -1);
        var c = Enumerable.Range(0, (int)g.OutputSize).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var result = new Case(seed, g, SolverTestNetworks.Row(box.Lower), SolverTestNetworks.Row(box.Upper),
            bounds.Select(b => new IntervalBounds(b.Lower.MoveToOuterDisposeScope(), b.Upper.MoveToOuterDisposeScope())).ToArray(),
            node, element, rng.Next(2) == 0 ? 1 : -1, c, rng.NextDouble() - 0.5);
        return result;
    }

    static IntervalBounds Loosen(IntervalBounds b, Random rng, double amount)
    {
        if (amount == 0) return b;
        var shape = b.Lower.shape;
        long n = b.Lower.numel();
        var down = torch.tensor(Enumerable.Range(0, (int)n).Select(_ => rng.NextDouble() * amount).ToArray(), dtype: ScalarType.Float64).reshape(shape);
        var up = torch.tensor(Enumerable.Range(0, (int)n).Select(_ => rng.NextDouble() * amount).ToArray(), dtype: ScalarType.Float64).reshape(shape);
        var lo = b.Lower.to(ScalarType.Float64);
        var hi = b.Upper.to(ScalarType.Float64);
        return new IntervalBounds((lo - down * (lo.abs() + 1)).to(b.Lower.dtype), (hi + up * (hi.abs() + 1)).to(b.Upper.dtype));
    }

    /// <summary>The case's MIP solved with the given settings: the reply and the input columns.</summary>
    public static (SolveReply Reply, double[]? Input) Solve(Case k, SolveSettings settings, SolverIsolation? isolation = null)
    {
        using var scope = torch.NewDisposeScope();
        var g = k.G.To(CPU, ScalarType.Float64);
        using var model = new LinearModel("SCIP", isolation);
        var encoder = new NetworkEncoder(model, g, k.Lo, k.Hi, k.Bounds, 0, BigMActivation.Instance, NodeBoundArrays.DefaultSlack);
        if (k.Node >= 0) encoder.Tighten(k.Node, k.Element, k.Sign > 0 ? 0 : double.NegativeInfinity, k.Sign > 0 ? double.PositiveInfinity : 0);
        model.SetObjective(encoder.Columns(g.OutputIndex), k.C, k.Offset);
        var reply = model.Solve(settings);
        return (reply, reply.HasPoint ? encoder.Columns(0).Select(c => reply.Values[c]).ToArray() : null);
    }

    /// <summary>
    /// The least sampled objective over points of the box on the split's side, and how many samples were on it
    /// (an upper bound of the true minimum whenever one is).
    /// </summary>
    public static (double Min, int Inside) Sampled(Case k, int samples, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var g = k.G.To(CPU, ScalarType.Float64);
        var box = new IntervalBounds(torch.tensor(k.Lo, dtype: ScalarType.Float64).reshape(1, -1), torch.tensor(k.Hi, dtype: ScalarType.Float64).reshape(1, -1));
        var xs = RandomNetworks.Samples(box, samples, seed);
        var values = g.ForwardAll(xs.reshape(samples, -1));
        var y = values[g.OutputIndex].reshape(samples, -1).matmul(torch.tensor(k.C, dtype: ScalarType.Float64)) + k.Offset;
        var inside = k.Node < 0 ? torch.ones(samples, dtype: ScalarType.Bool)
            : (k.Sign > 0 ? values[k.Node].reshape(samples, -1)[.., k.Element] >= 0 : values[k.Node].reshape(samples, -1)[.., k.Element] <= 0);
        int count = (int)inside.sum().item<long>();
        return (count == 0 ? double.PositiveInfinity : y[inside].min().item<double>(), count);
    }

    /// <summary>The objective at an input by our own float64 forward pass, and the split neuron's value there.</summary>
    public static (double Objective, double Neuron) At(Case k, double[] x)
    {
        using var scope = torch.NewDisposeScope();
        var g = k.G.To(CPU, ScalarType.Float64);
        var values = g.ForwardAll(torch.tensor(x, dtype: ScalarType.Float64).reshape(1, -1));
        double obj = values[g.OutputIndex].reshape(-1).data<double>().ToArray().Zip(k.C, (a, b) => a * b).Sum() + k.Offset;
        return (obj, k.Node < 0 ? 0 : values[k.Node].reshape(-1)[k.Element].item<double>());
    }
}
