using Verify.Bounds;
using Verify.Branching;
using Verify.Graph;
using Verify.Operators;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Branching;

/// <summary>
/// Filtered smart branching against an independent computation: every unstable neuron's two children bounded one by
/// one (CROWN, or alpha-CROWN's first iterate from given alphas, on the parent's bounds with that neuron clamped); the
/// chosen neuron must be one whose worse child bound is the best (floored at the parent's bound when one is given).
/// </summary>
public class FilteredSmartBranchingTests
{
    const int Domains = 3;
    const int Specs = 2;

    sealed record Problem(ComputationGraph Graph, Node[] Relus, IntervalBounds[] Bounds, Tensor C, Tensor Bias, Tensor Mask, Tensor Score);

    static Problem Make(int seed)
    {
        var g = RandomNetworks.Mlp(new[] { 4, 10, 8, 3 }, seed, weightScale: 1.5);
        var relus = g.Nodes.Where(n => n.Op is Relu).ToArray();
        var box = RandomNetworks.Box(Domains, 4, 0.6, seed + 1);
        var bounds = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
        var gen = new Generator((ulong)seed + 2);
        var c = torch.randn(new long[] { Domains, Specs, 3 }, generator: gen, dtype: ScalarType.Float64);
        var bias = torch.randn(new long[] { Domains, Specs }, generator: gen, dtype: ScalarType.Float64);
        // The second atom of the last domain is padding: it must not count.
        var mask = torch.ones(Domains, Specs, dtype: ScalarType.Bool);
        mask[Domains - 1, 1] = false;
        // Every unstable neuron is a candidate (score 1), the others are not (-1).
        var score = torch.cat(relus.Select(r =>
        {
            var ib = bounds[r.Inputs[0]];
            return torch.where((ib.Lower < 0).logical_and(ib.Upper > 0), 1.0, -1.0).to_type(ScalarType.Float64);
        }).ToArray(), 1);
        return new Problem(g, relus, bounds, c, bias, mask, score);
    }

    /// <summary>The bound of domain <paramref name="d"/> (max over its real atoms) with flat neuron <paramref name="j"/> clamped to one side.</summary>
    static double ChildBound(Problem p, int d, int j, bool active, Func<IntervalBounds[], Tensor, Tensor, Tensor> bound)
    {
        using var scope = torch.NewDisposeScope();
        var bounds = p.Bounds.Select(b => b.Lower is null ? b
            : new IntervalBounds(b.Lower.narrow(0, d, 1).clone(), b.Upper.narrow(0, d, 1).clone())).ToArray();
        int offset = 0;
        foreach (var r in p.Relus)
        {
            if (j < offset + r.Numel)
            {
                var ib = bounds[r.Inputs[0]];
                if (active) ib.Lower[0, j - offset] = Math.Max(0, ib.Lower[0, j - offset].item<double>());
                else ib.Upper[0, j - offset] = Math.Min(0, ib.Upper[0, j - offset].item<double>());
                break;
            }
            offset += (int)r.Numel;
        }
        var lb = bound(bounds, p.C.narrow(0, d, 1), p.Bias.narrow(0, d, 1));
        var m = p.Mask[d].data<bool>().ToArray();
        return Enumerable.Range(0, Specs).Where(s => m[s]).Max(s => lb[0, s].item<double>());
    }

    static void AssertBestChoice(Problem p, Tensor chosen, Func<int, IntervalBounds[], Tensor, Tensor, Tensor> bound, double[]? floor = null)
    {
        var score = p.Score;
        for (int d = 0; d < Domains; d++)
        {
            var unstable = Enumerable.Range(0, (int)score.shape[1]).Where(j => score[d, j].item<double>() >= 0).ToArray();
            Assert.That(unstable, Is.Not.Empty, "the example must have unstable neurons");
            double f = floor?[d] ?? double.NegativeInfinity;
            double Worse(int j) => Math.Min(Math.Max(f, ChildBound(p, d, j, true, (b, c, bias) => bound(d, b, c, bias))),
                Math.Max(f, ChildBound(p, d, j, false, (b, c, bias) => bound(d, b, c, bias))));
            var worse = unstable.ToDictionary(j => j, Worse);
            int pick = (int)chosen[d].item<long>();
            Assert.That(unstable, Does.Contain(pick), $"domain {d}: the chosen neuron {pick} is not unstable");
            double best = worse.Values.Max();
            Assert.That(worse[pick], Is.EqualTo(best).Within(1e-9),
                $"domain {d}: neuron {pick}'s worse child bound {worse[pick]} is not the best {best} (neuron {worse.MaxBy(kv => kv.Value).Key})");
            // The choice matters in this example: not every candidate is as good.
            TestContext.Out.WriteLine($"domain {d}: {unstable.Length} unstable, worse child bound from {worse.Values.Min():G4} to {best:G4}");
        }
    }

    [TestCase(11)]
    [TestCase(12)]
    [TestCase(13)]
    public void ChoosesTheNeuronWhoseWorseChildIsBestUnderCrown(int seed)
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(seed);
        var chosen = FilteredSmartBranching.Choose(p.Graph, p.Relus, p.Bounds, p.C, p.Bias, p.Mask, p.Score, (int)p.Score.shape[1]);
        AssertBestChoice(p, chosen, (_, b, c, bias) => BoundComputer.SpecLower(p.Graph, b, c, bias, BoundMethod.Crown));
    }

    [TestCase(21)]
    [TestCase(22)]
    public void ChoosesTheNeuronWhoseWorseChildIsBestUnderGivenAlphas(int seed)
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(seed);
        var gen = new Generator((ulong)seed + 5);
        var alphas = p.Relus.ToDictionary(r => r.Index,
            r => torch.rand(new[] { (long)Domains, Specs }.Concat(r.Shape).ToArray(), generator: gen, dtype: ScalarType.Float64));
        var chosen = FilteredSmartBranching.Choose(p.Graph, p.Relus, p.Bounds, p.C, p.Bias, p.Mask, p.Score, (int)p.Score.shape[1], alphas);
        // alpha-CROWN's first iterate starts from the given alphas and runs no optimisation step.
        AssertBestChoice(p, chosen, (d, b, c, bias) =>
        {
            using var warm = new AlphaWarmStart(alphas.ToDictionary(kv => kv.Key, kv => kv.Value.narrow(0, d, 1)));
            return OptimizedBound.SpecLower(p.Graph, b, c, bias, new OptimizationOptions(Iterations: 0), warm: warm);
        });
    }

    /// <summary>
    /// With the inherited parent bound as floor (here each domain's own CROWN bound, which clamping a neuron may undercut
    /// without the new split's multiplier), the choice maximises the floored worse child, ties going to the better score.
    /// </summary>
    [TestCase(41)]
    [TestCase(42)]
    public void ChoosesTheBestFlooredWorseChild(int seed)
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(seed);
        var own = BoundComputer.SpecLower(p.Graph, p.Bounds, p.C, p.Bias, BoundMethod.Crown)
            .masked_fill(p.Mask.logical_not(), double.NegativeInfinity).amax(1);
        var gen = new Generator((ulong)seed + 7);
        var score = torch.where(p.Score >= 0, torch.rand(p.Score.shape, generator: gen, dtype: ScalarType.Float64), p.Score);
        var chosen = FilteredSmartBranching.Choose(p.Graph, p.Relus, p.Bounds, p.C, p.Bias, p.Mask, score, (int)score.shape[1], parentBound: own);
        var floor = own.data<double>().ToArray();
        AssertBestChoice(p, chosen, (_, b, c, bias) => BoundComputer.SpecLower(p.Graph, b, c, bias, BoundMethod.Crown), floor);
        // Among equally good candidates, the one with the best score.
        for (int d = 0; d < Domains; d++)
        {
            int pick = (int)chosen[d].item<long>();
            double Worse(int j) => Math.Min(
                Math.Max(floor[d], ChildBound(p, d, j, true, (b, c, bias) => BoundComputer.SpecLower(p.Graph, b, c, bias, BoundMethod.Crown))),
                Math.Max(floor[d], ChildBound(p, d, j, false, (b, c, bias) => BoundComputer.SpecLower(p.Graph, b, c, bias, BoundMethod.Crown))));
            double best = Worse(pick);
            var better = Enumerable.Range(0, (int)score.shape[1])
                .Where(j => score[d, j].item<double>() > score[d, pick].item<double>() && Worse(j) >= best - 1e-12).ToArray();
            Assert.That(better, Is.Empty, $"domain {d}: neurons [{string.Join(", ", better)}] tie with {pick} and score better");
        }
    }

    /// <summary>
    /// Under a parent split (first unstable neuron active) with random alphas and betas &gt;= 0, every child estimate
    /// is a lower bound: never above the sampled minimum of the domain's margin over the points of the box that satisfy
    /// the parent's split and the child's side.
    /// </summary>
    [TestCase(51)]
    [TestCase(52)]
    public void EstimatesWithParentBetasAreLowerBoundsOfTheSampledChildren(int seed)
    {
        using var scope = torch.NewDisposeScope();
        var g = RandomNetworks.Mlp(new[] { 4, 10, 8, 3 }, seed, weightScale: 1.5);
        var relus = g.Nodes.Where(n => n.Op is Relu).ToArray();
        var box = RandomNetworks.Box(Domains, 4, 0.25, seed + 1);
        var bounds = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
        // The parent split: the first unstable neuron of the first layer of each domain, active (input >= 0).
        var first = bounds[relus[0].Inputs[0]];
        var unstable0 = (first.Lower < 0).logical_and(first.Upper > 0);
        // An Assert, not an Assume: an inconclusive result would let the test pass without checking anything.
        Assert.That(unstable0.any(1).all().item<bool>(), Is.True, "every domain needs an unstable first-layer neuron");
        var j0 = unstable0.to_type(ScalarType.Int64).argmax(1);
        var sign = torch.zeros_like(first.Lower).scatter(1, j0.unsqueeze(1), torch.ones(Domains, 1, dtype: ScalarType.Float64));
        bounds[relus[0].Inputs[0]] = new IntervalBounds(torch.where(sign > 0, first.Lower.clamp_min(0), first.Lower), first.Upper);
        var gen = new Generator((ulong)seed + 2);
        var c = torch.randn(new long[] { Domains, Specs, 3 }, generator: gen, dtype: ScalarType.Float64);
        var bias = torch.randn(new long[] { Domains, Specs }, generator: gen, dtype: ScalarType.Float64);
        var mask = torch.ones(Domains, Specs, dtype: ScalarType.Bool);
        var score = torch.cat(relus.Select(r =>
        {
            var ib = bounds[r.Inputs[0]];
            return torch.where((ib.Lower < 0).logical_and(ib.Upper > 0), 1.0, -1.0).to_type(ScalarType.Float64);
        }).ToArray(), 1);
        var alphas = relus.ToDictionary(r => r.Index,
            r => torch.rand(new[] { (long)Domains, Specs }.Concat(r.Shape).ToArray(), generator: gen, dtype: ScalarType.Float64));
        var splits = new Dictionary<int, Tensor> { [relus[0].Index] = sign };
        var gaps = new List<double>();
        var betas = new Dictionary<int, Tensor> { [relus[0].Index] = torch.rand(new long[] { Domains, Specs, 10 }, generator: gen, dtype: ScalarType.Float64) * 0.5 };
        int k = (int)score.shape[1];
        var estimate = FilteredSmartBranching.ChildEstimates(g, relus, bounds, c, bias, mask, score, k, alphas, splits, betas, out var top);

        const int samples = 20000;
        var xs = RandomNetworks.Samples(box, samples, seed + 3);
        int checkedChildren = 0;
        for (int d = 0; d < Domains; d++)
        {
            var values = g.ForwardAll(xs[d]);
            var pre = torch.cat(relus.Select(r => values[r.Inputs[0]].reshape(samples, -1)).ToArray(), 1);
            var margin = (values[g.OutputIndex].reshape(samples, 3).matmul(c[d].T) + bias[d]).amax(1);
            var inParent = pre[.., j0[d].item<long>()] >= 0;
            for (int cand = 0; cand < k; cand++)
            {
                long j = top[d, cand].item<long>();
                if (score[d, j].item<double>() < 0) continue;
                for (int side = 0; side < 2; side++)
                {
                    var inChild = inParent.logical_and(side == 0 ? pre[.., j] >= 0 : pre[.., j] <= 0);
                    if (!inChild.any().item<bool>()) continue;
                    double sampledMin = margin.masked_select(inChild).min().item<double>();
                    double est = estimate[d, cand, side].item<double>();
                    Assert.That(est, Is.LessThanOrEqualTo(sampledMin + 1e-9), $"domain {d}, neuron {j}, side {side}");
                    gaps.Add(sampledMin - est);
                    checkedChildren++;
                }
            }
        }
        Assert.That(checkedChildren, Is.GreaterThan(10));
        TestContext.Out.WriteLine($"{checkedChildren} children; gap to the sampled minimum: median {gaps.Order().ElementAt(gaps.Count / 2):G3}, min {gaps.Min():G3}");
    }

    [Test]
    public void OneCandidateIsTheTopScore()
    {
        using var scope = torch.NewDisposeScope();
        var p = Make(31);
        var gen = new Generator(32);
        var score = torch.where(p.Score >= 0, torch.rand(p.Score.shape, generator: gen, dtype: ScalarType.Float64), p.Score);
        var chosen = FilteredSmartBranching.Choose(p.Graph, p.Relus, p.Bounds, p.C, p.Bias, p.Mask, score, 1);
        Assert.That(chosen.data<long>().ToArray(), Is.EqualTo(score.argmax(1).data<long>().ToArray()));
    }
}
