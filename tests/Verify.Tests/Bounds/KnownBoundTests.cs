using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Bounds;

/// <summary>Hand-built networks whose exact output ranges are known analytically.</summary>
public class KnownBoundTests
{
    static ComputationGraph Build(long inputs, params (Operator Op, int[] Inputs, long[] Shape)[] layers)
    {
        var nodes = new List<Node> { new(0, "x", new InputOp(new[] { inputs }), Array.Empty<int>(), new[] { inputs }) };
        foreach (var (op, ins, shape) in layers) nodes.Add(new Node(nodes.Count, $"n{nodes.Count}", op, ins, shape));
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }

    static Tensor T(params double[] v) => torch.tensor(v, dtype: ScalarType.Float64);

    static Tensor M(double[,] v) => torch.tensor(v, dtype: ScalarType.Float64);

    static IntervalBounds Box(double[] lo, double[] hi) => new(T(lo).unsqueeze(0), T(hi).unsqueeze(0));

    static (double Lo, double Hi) Range(ComputationGraph g, IntervalBounds box, BoundMethod m)
    {
        var bounds = BoundComputer.Intermediate(g, box, new BoundOptions(m));
        var o = BoundComputer.OutputBounds(g, bounds, m);
        return (o.Lower.item<double>(), o.Upper.item<double>());
    }

    [Test]
    public void SingleReluIsExactUnderIbpAndCrownTakesTheUnitSlopeBelow()
    {
        using var scope = torch.NewDisposeScope();
        var g = Build(1, (new Relu(), new[] { 0 }, new long[] { 1 }));
        var box = Box(new[] { -1.0 }, new[] { 2.0 });
        Assert.That(Range(g, box, BoundMethod.Ibp), Is.EqualTo((0.0, 2.0)));
        // CROWN: upper chord 2/3·(x+1) reaches 2 at x = 2; the adaptive lower line is y >= x (u > -l), minimum -1.
        var (lo, hi) = Range(g, box, BoundMethod.Crown);
        Assert.That(hi, Is.EqualTo(2.0).Within(1e-12));
        Assert.That(lo, Is.EqualTo(-1.0).Within(1e-12));
    }

    [Test]
    public void IdentityThroughTwoRelusIsExactUnderBothMethods()
    {
        // y = relu(x) - relu(-x) = x on [-1, 1].
        using var scope = torch.NewDisposeScope();
        var g = Build(1,
            (new Linear(M(new double[,] { { 1 }, { -1 } }), null), new[] { 0 }, new long[] { 2 }),
            (new Relu(), new[] { 1 }, new long[] { 2 }),
            (new Linear(M(new double[,] { { 1, -1 } }), null), new[] { 2 }, new long[] { 1 }));
        var box = Box(new[] { -1.0 }, new[] { 1.0 });
        foreach (var m in new[] { BoundMethod.Ibp, BoundMethod.Crown })
        {
            var (lo, hi) = Range(g, box, m);
            Assert.That(lo, Is.EqualTo(-1.0).Within(1e-12), m.ToString());
            Assert.That(hi, Is.EqualTo(1.0).Within(1e-12), m.ToString());
        }
    }

    [Test]
    public void IbpIsLooseWhereCrownIsExactOnCancellingPaths()
    {
        // h1 = relu(x1 + x2 + 3), h2 = relu(x1 - x2 + 3) are always active on [-1,1]^2, so y = h1 - h2 = 2·x2 in [-2, 2];
        // IBP loses the correlation and gives [1 - 5, 5 - 1] = [-4, 4].
        using var scope = torch.NewDisposeScope();
        var g = Build(2,
            (new Linear(M(new double[,] { { 1, 1 }, { 1, -1 } }), T(3, 3)), new[] { 0 }, new long[] { 2 }),
            (new Relu(), new[] { 1 }, new long[] { 2 }),
            (new Linear(M(new double[,] { { 1, -1 } }), null), new[] { 2 }, new long[] { 1 }));
        var box = Box(new[] { -1.0, -1.0 }, new[] { 1.0, 1.0 });
        Assert.That(Range(g, box, BoundMethod.Ibp), Is.EqualTo((-4.0, 4.0)));
        var (lo, hi) = Range(g, box, BoundMethod.Crown);
        Assert.That(lo, Is.EqualTo(-2.0).Within(1e-12));
        Assert.That(hi, Is.EqualTo(2.0).Within(1e-12));
    }

    [Test]
    public void CrownIntermediateBoundsTightenTheNextReluLayer()
    {
        // z = x1 - x2 + (x1 + x2) = 2·x1 computed through two paths; with CROWN intermediate bounds the second layer's
        // pre-activation is bounded exactly ([-2, 2] on [-1,1]^2), with IBP it is [-4, 4].
        using var scope = torch.NewDisposeScope();
        var g = Build(2,
            (new Linear(M(new double[,] { { 1, -1 }, { 1, 1 } }), T(5, 5)), new[] { 0 }, new long[] { 2 }),
            (new Relu(), new[] { 1 }, new long[] { 2 }),
            (new Linear(M(new double[,] { { 1, 1 } }), T(-10)), new[] { 2 }, new long[] { 1 }),
            (new Relu(), new[] { 3 }, new long[] { 1 }));
        var box = Box(new[] { -1.0, -1.0 }, new[] { 1.0, 1.0 });
        var ibp = BoundComputer.Intermediate(g, box, BoundOptions.Ibp);
        var crown = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
        Assert.That((ibp[3].Lower.item<double>(), ibp[3].Upper.item<double>()), Is.EqualTo((-4.0, 4.0)));
        Assert.That(crown[3].Lower.item<double>(), Is.EqualTo(-2.0).Within(1e-12));
        Assert.That(crown[3].Upper.item<double>(), Is.EqualTo(2.0).Within(1e-12));
    }
}
