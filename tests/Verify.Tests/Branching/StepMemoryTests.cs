using Verify.Bounds;
using Verify.Branching;
using Verify.Graph;
using Verify.Operators;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Branching;

/// <summary>
/// The memory share of a branch-and-bound step: how many domains one step bounds follows from the estimated bytes of
/// its bound pass, wide convolutional networks get smaller batches than small MLPs, and a batch of one domain per step
/// reaches the same verdicts.
/// </summary>
public class StepMemoryTests
{
    [Test]
    public void PerSpecificationBytesOfATinyMlpMatchTheHandCount()
    {
        // x(5) → fc(50) → relu(50) → fc(5): the widest step is the ReLU's (8·50 coefficients and temporaries + 2·50
        // inputs = 500 elements); autograd keeps 40 elements per neuron of each node (4400) and the ReLU's alphas with
        // their gradient and Adam's moments (6·50).
        var g = RandomNetworks.Mlp(new[] { 5, 50, 5 }, seed: 1);
        Assert.That(PassCost.BackwardBytesPerSpec(g, g.OutputIndex, 4, withGradients: false), Is.EqualTo(500 * 4));
        Assert.That(PassCost.BackwardBytesPerSpec(g, g.OutputIndex, 4, withGradients: true), Is.EqualTo((500 + 4400 + 300) * 4));
    }

    [Test]
    public void WideConvolutionalNetworksBoundFewerDomainsPerStepThanSmallMlps()
    {
        var mlp = RandomNetworks.Mlp(new[] { 5, 50, 50, 50, 50, 50, 50, 5 }, seed: 2);
        var conv = CifarShapedConv();
        const long budget = 2L << 30;
        Assert.That(PassCost.DomainsPerStep(mlp, 4, 4, true, budget, 1024), Is.EqualTo(1024), "an ACAS-sized MLP keeps the full batch");
        int convBatch = PassCost.DomainsPerStep(conv, 9, 4, true, budget, 1024);
        Assert.That(convBatch, Is.LessThan(1024).And.GreaterThanOrEqualTo(1));
        // Bytes per domain: the two 16x16x16 nodes alone keep 2 · 10 · 4096 elements per specification for autograd.
        Assert.That(convBatch, Is.LessThanOrEqualTo(budget / (9 * 2 * 10 * 4096 * 4)));
        Assert.That(PassCost.DomainsPerStep(conv, 9, 4, true, 1, 1024), Is.EqualTo(1), "never less than one domain");
    }

    [Test]
    public void AStepTakesAtMostHalfTheMemoryLimit()
    {
        Assert.That(new BabOptions { MaxMemoryBytes = 16L << 30 }.StepBytes, Is.EqualTo(2L << 30));
        Assert.That(new BabOptions { MaxMemoryBytes = 1L << 30 }.StepBytes, Is.EqualTo(512L << 20));
    }

    [Test]
    public void OneDomainPerStepReachesTheSameVerdictsOnSmallConvNets()
    {
        int compared = 0, branched = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var g = RandomNetworks.SmallConv(seed);
            var rng = new Random(seed);
            var centre = Enumerable.Range(0, 50).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double radius = 0.1 + 0.2 * rng.NextDouble();
            var lo = centre.Select(c => c - radius).ToArray();
            var hi = centre.Select(c => c + radius).ToArray();
            var (min, max) = SmoothNetworks.SampledRange(g, lo, hi, 3000, seed);
            // Between CROWN's lower bound of Y0 − Y1 and its sampled minimum: the root bounds cannot decide it.
            var (_, _, crown) = SmoothNetworks.Root(g, SmoothNetworks.Margin(lo, hi, 3, 0));
            double floor = crown[0], fraction = 0.1 + 0.8 * rng.NextDouble();
            var spec = SmoothNetworks.Margin(lo, hi, 3, floor + fraction * (min - floor));
            var confirm = SmoothNetworks.ConfirmByForward(g, spec);
            var (root, open, lower) = SmoothNetworks.Root(g, spec);
            if (open.Length == 0) continue;
            var whole = ReluSplitBab.Run(g, spec, root, open, new BabOptions(), confirm, Budget.Seconds(5), lower);
            var single = ReluSplitBab.Run(g, spec, root, open, new BabOptions { MaxStepBytes = 1 }, confirm, Budget.Seconds(10), lower);
            if (whole.Status is (BabStatus.Proved or BabStatus.Violated) && single.Status is (BabStatus.Proved or BabStatus.Violated))
                Assert.That(single.Status, Is.EqualTo(whole.Status), $"seed {seed}: the verdict depends on the batch");
            TestContext.Out.WriteLine($"seed {seed}: {whole.Status} ({whole.Domains} domains, {whole.Steps} steps), one per step {single.Status} ({single.Domains}, {single.Steps})");
            if (single.Status != BabStatus.Proved || whole.Status != BabStatus.Proved) continue;
            compared++;
            Assert.That(single.Steps, Is.EqualTo(single.Domains), $"seed {seed}: one domain per step");
            if (whole.Domains > 1)
            {
                branched++;
                Assert.That(whole.Steps, Is.LessThan(whole.Domains), $"seed {seed}: the default batches domains");
            }
        }
        TestContext.Out.WriteLine($"{compared} proved both ways, {branched} of them after branching");
        Assert.That(compared, Is.GreaterThanOrEqualTo(3));
    }

    /// <summary>
    /// A CIFAR-shaped residual net with random weights: Conv 3→16 3x3/2 (16x16x16), ReLU, one residual block
    /// (Conv, ReLU, Conv, Add, ReLU), Linear 4096→10.
    /// </summary>
    static ComputationGraph CifarShapedConv()
    {
        var gen = new Generator(3);
        Tensor R(params long[] shape) => torch.randn(shape, generator: gen, dtype: ScalarType.Float32) * 0.1;
        long[] image = { 3, 32, 32 }, map = { 16, 16, 16 };
        var nodes = new List<Node> { new(0, "x", new InputOp(image), Array.Empty<int>(), image) };
        int Push(Operator op, long[] shape, params int[] inputs)
        {
            nodes.Add(new Node(nodes.Count, $"n{nodes.Count}", op, inputs.Length > 0 ? inputs : new[] { nodes.Count - 1 }, shape));
            return nodes.Count - 1;
        }
        Conv Conv3(long ci, long stride) => new(R(16, ci, 3, 3), R(16), new long[] { 1, 1, 1, 1 }, new long[] { stride, stride }, new long[] { 1, 1 }, 1);
        Push(Conv3(3, 2), map);
        int stem = Push(new Relu(), map);
        Push(Conv3(16, 1), map);
        Push(new Relu(), map);
        int second = Push(Conv3(16, 1), map);
        Push(new Add(), map, stem, second);
        Push(new Relu(), map);
        Push(new Reshape(new long[] { 4096 }), new long[] { 4096 });
        Push(new Linear(R(10, 4096), R(10)), new long[] { 10 });
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }
}
