using Verify.Lipschitz;

namespace Verify.Tests.Lipschitz;

public class LeafFeasibilityTests
{
    // z1 = x, z2 = x + b2 over x in [-1, 1].
    static PatternReach Reach(double b2, sbyte s1, sbyte s2)
    {
        var net = new DenseNetwork(new[]
        {
            new DenseLayer(new double[,] { { 1 }, { 1 } }, new[] { 0, b2 }, new Verify.Operators.Relu()),
            new DenseLayer(new double[,] { { 1, 1 } }, new[] { 0.0 }, null),
        });
        var forward = new[] { (new[] { -1.0, -1 + b2 }, new[] { 1.0, 1 + b2 }) };
        return LeafFeasibility.Check(LipschitzNetwork.FromDense(net), new[] { -1.0 }, new[] { 1.0 }, forward, new[] { new[] { s1, s2 } });
    }

    [Test]
    public void ContradictoryPatternIsUnreachable() => Assert.That(Reach(0.5, 1, -1), Is.EqualTo(PatternReach.Unreachable));

    [Test]
    public void PatternOnlyOnTheKinkIsBoundary() => Assert.That(Reach(0, 1, -1), Is.EqualTo(PatternReach.Boundary));

    [Test]
    public void OpenPatternIsInterior()
    {
        Assert.That(Reach(0.5, 1, 1), Is.EqualTo(PatternReach.Interior));
        Assert.That(Reach(0.5, -1, 1), Is.EqualTo(PatternReach.Interior));
        Assert.That(Reach(0.5, -1, -1), Is.EqualTo(PatternReach.Interior));
    }
}
