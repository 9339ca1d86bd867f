using Verify.Bounds;
using Verify.Graph;
using Verify.Solvers;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static Verify.Tests.Solvers.SolverTestNetworks;

namespace Verify.Tests.Solvers;

/// <summary>MIP refinement of intermediate bounds: sound by sampling, never looser, exact on a dense grid.</summary>
public class MipRefinementTests
{
    [TestCaseSource(typeof(SolverTestNetworks), nameof(SolverTestNetworks.Ten))]
    public void RefinedBoundsContainSampledValuesAndAreNoLooserThanCrown(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, box, lo, hi, crown) = Setup(kind, seed);
        var refined = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(30, Threads: 2, ExactLayers: 0, NearestBinaries: 0));
        Assert.That(refined.Rejected, Is.Zero);
        var values = g.ForwardAll(RandomNetworks.Samples(box, 4000, 40 + seed).reshape(new[] { 4000L }.Concat(g.InputShape).ToArray()));
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            var t = refined.Bounds[i];
            Assert.That((t.Lower >= crown[i].Lower).all().item<bool>(), Is.True, $"node {i} lower bound looser than CROWN");
            Assert.That((t.Upper <= crown[i].Upper).all().item<bool>(), Is.True, $"node {i} upper bound looser than CROWN");
            // The box's corners are sampled: they may round 1e-16 beyond the box, as CROWN's bounds of the first layer may.
            Assert.That((values[i] >= t.Lower - 1e-9).all().item<bool>(), Is.True, $"node {i}: a sampled value is below the refined bound");
            Assert.That((values[i] <= t.Upper + 1e-9).all().item<bool>(), Is.True, $"node {i}: a sampled value is above the refined bound");
        }
    }

    /// <summary>Later nodes re-bounded by alpha-CROWN after each refined node: still sound and never looser than CROWN.</summary>
    [TestCase("mlp 5-12-10-8-2", 2)]
    [TestCase("mlp 2-6-6-6-1", 3)]
    [TestCase("conv", 8)]
    public void ReoptimisedLaterNodesStaySoundAndNoLooser(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, box, lo, hi, crown) = Setup(kind, seed);
        var alpha = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(30, Reoptimize: new OptimizationOptions(), ExactLayers: 0, NearestBinaries: 0));
        var values = g.ForwardAll(RandomNetworks.Samples(box, 4000, 50 + seed).reshape(new[] { 4000L }.Concat(g.InputShape).ToArray()));
        Assert.That(alpha.Rejected, Is.Zero);
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            var t = alpha.Bounds[i];
            Assert.That((values[i] >= t.Lower - 1e-9).all().item<bool>() && (values[i] <= t.Upper + 1e-9).all().item<bool>(), Is.True, $"node {i}");
            Assert.That((t.Lower >= crown[i].Lower).all().item<bool>() && (t.Upper <= crown[i].Upper).all().item<bool>(), Is.True, $"node {i} looser than CROWN");
        }
    }

    /// <summary>
    /// On a two-input network the exact range of every neuron is known up to the grid's resolution: the minimum over a
    /// 301×301 grid is at most its Lipschitz constant times half the grid step above the true minimum. With zero gap,
    /// both bounds of every neuron still unstable after refinement (so both of its sides were solved) lie in that
    /// window, and the refined nodes are tighter than CROWN's.
    /// </summary>
    [TestCase(3)]
    [TestCase(11)]
    public void RefinedBoundsAreTheExactRangesOnADenseGrid(int seed)
    {
        using var scope = torch.NewDisposeScope();
        var g = RandomNetworks.Mlp(new[] { 2, 8, 8, 8, 1 }, 500 + seed, weightScale: 1.6);
        var box = RandomNetworks.Box(1, 2, 0.5, 60 + seed);
        var crown = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
        var refined = MipRefinement.Tighten(g, Row(box.Lower), Row(box.Upper), crown, new MipRefineOptions(60, NeuronSeconds: 30, Gap: 0, ExactLayers: 0, NearestBinaries: 0));
        Assert.That(refined.Layers, Is.Not.Empty, "no node had unstable neurons");

        const int n = 301;
        var (lo, hi) = (Row(box.Lower), Row(box.Upper));
        var grid = new double[n * n * 2];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                grid[2 * (a * n + b)] = lo[0] + (hi[0] - lo[0]) * a / (n - 1);
                grid[2 * (a * n + b) + 1] = lo[1] + (hi[1] - lo[1]) * b / (n - 1);
            }
        var values = g.ForwardAll(torch.tensor(grid, dtype: ScalarType.Float64).reshape(n * n, 2));
        double step = Math.Max(hi[0] - lo[0], hi[1] - lo[1]) / (n - 1);
        double crownWidth = 0, refinedWidth = 0;
        int exact = 0;
        foreach (var layer in refined.Layers)
        {
            int i = layer.Node;
            var gridMin = values[i].amin(0);
            var gridMax = values[i].amax(0);
            // |v(x) - v(x')| <= (|W_k|···|W_1| 1)·||x - x'||_inf, and every point is within step/2 of the grid.
            var window = Lipschitz(g, i) * (step / 2) + 1e-4;
            var t = refined.Bounds[i];
            Assert.That((t.Lower[0] <= gridMin + 1e-9).all().item<bool>() && (t.Upper[0] >= gridMax - 1e-9).all().item<bool>(), Is.True,
                $"node {i} misses a grid value: {(t.Lower[0] - gridMin).max().item<double>()}, {(gridMax - t.Upper[0]).max().item<double>()}");
            var solved = (t.Lower[0] < 0).logical_and(t.Upper[0] > 0);
            exact += (int)solved.sum().item<long>();
            Assert.That((solved.logical_not() | (t.Lower[0] >= gridMin - window)).all().item<bool>(), Is.True, $"node {i}: a lower bound is below the exact minimum");
            Assert.That((solved.logical_not() | (t.Upper[0] <= gridMax + window)).all().item<bool>(), Is.True, $"node {i}: an upper bound is above the exact maximum");
            crownWidth += (crown[i].Upper[0] - crown[i].Lower[0]).sum().item<double>();
            refinedWidth += (t.Upper[0] - t.Lower[0]).sum().item<double>();
        }
        Assert.That(exact, Is.GreaterThan(0), "no neuron stayed unstable, so none was checked for exactness");
        Assert.That(refinedWidth, Is.LessThan(crownWidth));
    }

    [Test]
    public void RefinementWithoutTimeLeavesTheBoundsUnchanged()
    {
        using var scope = torch.NewDisposeScope();
        var (g, _, lo, hi, crown) = Setup("mlp 5-12-10-8-2", 2);
        var refined = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(0, ExactLayers: 0, NearestBinaries: 0));
        for (int i = 0; i <= g.OutputIndex; i++)
            Assert.That((refined.Bounds[i].Lower == crown[i].Lower).all().item<bool>() && (refined.Bounds[i].Upper == crown[i].Upper).all().item<bool>(), Is.True);
    }

    [Test]
    public void Float32BoundsAreRefinedWithOutwardRounding()
    {
        using var scope = torch.NewDisposeScope();
        var (g, box64, _, _, _) = Setup("mlp 5-12-10-8-2", 2);
        // A box whose corners float32 represents exactly.
        var box = new IntervalBounds(box64.Lower.to(ScalarType.Float32).to(ScalarType.Float64), box64.Upper.to(ScalarType.Float32).to(ScalarType.Float64));
        var (lo, hi) = (Row(box.Lower), Row(box.Upper));
        var g32 = g.To(CPU, ScalarType.Float32);
        // Sound float32 bounds: float64 CROWN widened by more than float32 rounding before the conversion.
        var crown32 = BoundComputer.Intermediate(g, box, BoundOptions.Crown).Select(b => new IntervalBounds(
            (b.Lower - 1e-6 * (1 + b.Lower.abs())).to(ScalarType.Float32), (b.Upper + 1e-6 * (1 + b.Upper.abs())).to(ScalarType.Float32))).ToArray();
        var refined = MipRefinement.Tighten(g32, lo, hi, crown32, new MipRefineOptions(30, ExactLayers: 0, NearestBinaries: 0));
        var values = g.ForwardAll(RandomNetworks.Samples(box, 4000, 41).reshape(4000, -1));
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            Assert.That(refined.Bounds[i].Lower.dtype, Is.EqualTo(ScalarType.Float32));
            Assert.That((values[i] >= refined.Bounds[i].Lower.to(ScalarType.Float64) - 1e-9).all().item<bool>(), Is.True, $"node {i}");
            Assert.That((values[i] <= refined.Bounds[i].Upper.to(ScalarType.Float64) + 1e-9).all().item<bool>(), Is.True, $"node {i}");
        }
    }

    /// <summary>
    /// Neurons ordered by a caller's scores, and each node held to its share of the time: the bounds stay sound, and
    /// the scores are asked once per refined node, with that node's bounds as refined so far.
    /// </summary>
    [TestCase("mlp 5-12-10-8-2", 2)]
    [TestCase("conv", 8)]
    public void ScoredOrderAndNodeSharesKeepTheBoundsSound(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, box, lo, hi, crown) = Setup(kind, seed);
        var asked = new List<int>();
        var random = new Random(seed);
        double[] Score(IntervalBounds[] current, int node)
        {
            asked.Add(node);
            Assert.That((current[node].Lower >= crown[node].Lower).all().item<bool>(), Is.True, "scores asked with bounds looser than the input");
            return Enumerable.Range(0, (int)g.Nodes[node].Numel).Select(_ => random.NextDouble()).ToArray();
        }
        var refined = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(30, NeuronSeconds: 1, SpreadOverNodes: true, ExactLayers: 0, NearestBinaries: 0),
            importance: Score);
        Assert.That(asked, Is.EqualTo(refined.Layers.Select(l => l.Node).ToArray()));
        Assert.That(asked, Is.Not.Empty);
        AssertContainsSamples(g, box, refined.Bounds, 70 + seed);
    }

    /// <summary>
    /// Binaries only in the activation layer nearest to each refined node, triangles below: the bounds stay sound, the
    /// first refined node (one activation layer below it) is refined exactly as with binaries everywhere, and the next
    /// node, refined from the same bounds below, is never tighter than with binaries everywhere.
    /// </summary>
    [TestCase("mlp 2-6-6-6-1", 3)]
    [TestCase("mlp 5-12-10-8-2", 2)]
    public void BinariesInTheNearestLayerOnlyStaySoundAndNoTighterThanTheExactRefinement(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, box, lo, hi, crown) = Setup(kind, seed);
        var nodes = LpRelaxation.PreActivationNodes(g).ToArray();
        Assert.That(MipRefinement.ExactActivations(g, nodes[1], 1), Is.EqualTo(new[] { nodes[1] - 1 }));
        Assert.That(MipRefinement.ExactActivations(g, nodes[1], 0), Has.Count.EqualTo(2));
        var exact = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(60, Threads: 1, Gap: 0, ExactLayers: 0, NearestBinaries: 0));
        var partial = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(60, Threads: 1, Gap: 0, ExactLayers: 1, NearestBinaries: 0));
        Assert.That(partial.Rejected, Is.Zero);
        AssertContainsSamples(g, box, partial.Bounds, 90 + seed);
        var (first, second) = (nodes[0], nodes[1]);
        Assert.That((partial.Bounds[first].Lower - exact.Bounds[first].Lower).abs().max().item<double>(), Is.LessThan(1e-6));
        Assert.That((partial.Bounds[first].Upper - exact.Bounds[first].Upper).abs().max().item<double>(), Is.LessThan(1e-6));
        AssertNoTighterWhereUnstable(partial.Bounds[second], exact.Bounds[second]);
    }

    /// <summary>
    /// Binaries for only the two highest-scored neurons of the layer below each refined neuron (the rest relaxed to
    /// triangles): still sound, never tighter than with all of that layer's binaries where those left the neuron
    /// unstable, and the same as those when the choice covers the whole layer.
    /// </summary>
    [TestCase("mlp 2-6-6-6-1", 3)]
    [TestCase("mlp 5-12-10-8-2", 2)]
    public void ChosenBinariesOnlyStaySoundAndNoTighterThanTheWholeLayer(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, box, lo, hi, crown) = Setup(kind, seed);
        int first = LpRelaxation.PreActivationNodes(g).First();
        var whole = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(60, Threads: 1, Gap: 0, ExactLayers: 1, NearestBinaries: 0));
        var two = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(60, Threads: 1, Gap: 0, ExactLayers: 1, NearestBinaries: 2));
        var all = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(60, Threads: 1, Gap: 0, ExactLayers: 1, NearestBinaries: 1000));
        Assert.That(two.Rejected, Is.Zero);
        AssertContainsSamples(g, box, two.Bounds, 95 + seed);
        AssertNoTighterWhereUnstable(two.Bounds[first], whole.Bounds[first]);
        Assert.That((all.Bounds[first].Lower - whole.Bounds[first].Lower).abs().max().item<double>(), Is.LessThan(1e-6));
        Assert.That((all.Bounds[first].Upper - whole.Bounds[first].Upper).abs().max().item<double>(), Is.LessThan(1e-6));
    }

    /// <summary>
    /// With time for everything, the spread schedule's first sweep solves every neuron, so a second sweep finds
    /// nothing to do: the result equals the one-sweep refinement's, each node is visited once, and the call ends long
    /// before its budget.
    /// </summary>
    [TestCase("mlp 5-12-10-8-2", 2)]
    [TestCase("mlp 2-6-6-6-1", 3)]
    public void SpreadSweepsStopWhenEveryNeuronIsSolved(string kind, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var (g, _, lo, hi, crown) = Setup(kind, seed);
        var once = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(600, Threads: 1, ExactLayers: 1, NearestBinaries: 0));
        var spread = MipRefinement.Tighten(g, lo, hi, crown, new MipRefineOptions(600, Threads: 1, ExactLayers: 1, SpreadOverNodes: true, NearestBinaries: 0));
        Assert.That(spread.Seconds, Is.LessThan(300), "the sweeps did not stop when nothing was left to solve");
        Assert.That(spread.Layers.Select(l => l.Node), Is.EqualTo(once.Layers.Select(l => l.Node)));
        Assert.That(spread.Layers.Select(l => l.Node), Is.Unique);
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            Assert.That((spread.Bounds[i].Lower - once.Bounds[i].Lower).abs().max().item<double>(), Is.LessThan(1e-6), $"node {i}");
            Assert.That((spread.Bounds[i].Upper - once.Bounds[i].Upper).abs().max().item<double>(), Is.LessThan(1e-6), $"node {i}");
        }
    }

    /// <summary>
    /// Affine maps of the input (here a reshape and a linear layer) are bounded exactly by CROWN already, so the first
    /// node refined is the pre-activation of the second ReLU layer.
    /// </summary>
    [Test]
    public void AffineMapsOfTheInputAreNotRefined()
    {
        var mlp = RandomNetworks.Mlp(new[] { 4, 6, 5, 2 }, 3);
        var nodes = new List<Verify.Graph.Node> { mlp.Nodes[0], new(1, "flat", new Verify.Operators.Reshape(new long[] { 4 }), new[] { 0 }, new long[] { 4 }) };
        foreach (var n in mlp.Nodes.Skip(1)) nodes.Add(n with { Index = n.Index + 1, Inputs = n.Inputs.Select(i => i + 1).ToArray() });
        var g = new ComputationGraph(nodes, mlp.OutputIndex + 1, mlp.InputName, mlp.OutputName);
        // 0 x, 1 flat, 2 fc1, 3 relu1, 4 fc2, 5 relu2, 6 fc3
        Assert.That(LpRelaxation.PreActivationNodes(g), Is.EqualTo(new[] { 4 }));
        Assert.That(LpRelaxation.PreActivationNodes(mlp), Is.EqualTo(new[] { 3 }));
    }

    /// <summary>
    /// A relaxed refinement is no tighter than <paramref name="reference"/> on every neuron the reference left unstable
    /// (where it solved both sides; a side skipped after the other proved stability is not comparable).
    /// </summary>
    static void AssertNoTighterWhereUnstable(IntervalBounds relaxed, IntervalBounds reference)
    {
        var open = (reference.Lower < 0).logical_and(reference.Upper > 0);
        Assert.That(open.any().item<bool>(), Is.True, "no neuron stayed unstable: the comparison is empty");
        Assert.That((relaxed.Lower <= reference.Lower + 1e-6).logical_or(open.logical_not()).all().item<bool>(), Is.True, "a lower bound is tighter");
        Assert.That((relaxed.Upper >= reference.Upper - 1e-6).logical_or(open.logical_not()).all().item<bool>(), Is.True, "an upper bound is tighter");
    }

    /// <summary>Every node's bounds contain its values at 4000 points sampled in the box (corners may round 1e-16 outside).</summary>
    internal static void AssertContainsSamples(ComputationGraph g, IntervalBounds box, IntervalBounds[] bounds, int seed)
    {
        var values = g.ForwardAll(RandomNetworks.Samples(box, 4000, seed).reshape(new[] { 4000L }.Concat(g.InputShape).ToArray()));
        for (int i = 0; i <= g.OutputIndex; i++)
        {
            var t = bounds[i];
            Assert.That((values[i] >= t.Lower - 1e-9).all().item<bool>() && (values[i] <= t.Upper + 1e-9).all().item<bool>(), Is.True, $"node {i}");
        }
    }

    /// <summary>Row sums of |W_k|···|W_1| for the pre-activation node <paramref name="node"/> of an MLP (Linear, ReLU, ...).</summary>
    static Tensor Lipschitz(ComputationGraph g, int node)
    {
        Tensor? product = null;
        for (int i = 1; i <= node; i++)
        {
            if (g.Nodes[i].Op is not Verify.Operators.Linear linear) continue;
            var w = linear.Weight.to(ScalarType.Float64).abs();
            product = product is null ? w : w.matmul(product);
        }
        return product!.sum(1);
    }
}
