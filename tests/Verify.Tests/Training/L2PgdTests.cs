using TorchSharp;
using Verify.Training.Lipschitz;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>The l2 attack stays in the ball and the box, and the margin certificate matches its definition.</summary>
public class L2PgdTests
{
    [Test]
    public void ProjectionLandsInTheBallAndTheBox()
    {
        var gen = new Generator(5, torch.CPU);
        var x = torch.rand(new long[] { 64, 1, 4, 4 }, generator: gen);
        var far = x + torch.randn(x.shape, generator: gen) * 3;
        var p = L2Pgd.Project(far, x, 0.7);
        var dist = (p - x).reshape(64, -1).norm(1).data<float>().ToArray();
        Assert.That(dist.Max(), Is.LessThanOrEqualTo(0.7 * (1 + 1e-5)));
        Assert.That(p.min().item<float>(), Is.GreaterThanOrEqualTo(0));
        Assert.That(p.max().item<float>(), Is.LessThanOrEqualTo(1));
        var near = x + (torch.rand(x.shape, generator: gen) - 0.5) * 1e-3;
        var q = L2Pgd.Project(near, x, 0.7);
        Assert.That((q - near.clamp(0, 1)).abs().max().item<float>(), Is.LessThan(1e-6), "points inside the ball are kept");
    }

    [Test]
    public void CertificateIsMarginOverRootTwoL()
    {
        var z = torch.tensor(new float[] { 3, 1, 0, /* */ 0, 2, 1.5f, /* */ 1, 1, 0 }).reshape(3, 3);
        var y = torch.tensor(new long[] { 0, 1, 0 });
        var m = Margins.Of(z, y);
        Assert.That(m.data<float>().ToArray(), Is.EqualTo(new float[] { 2, 0.5f, 0 }));
        var cert = Margins.Certified(m, 2, 0.5).data<bool>().ToArray(); // needs margin > sqrt(2)*2*0.5 = 1.414
        Assert.That(cert, Is.EqualTo(new[] { true, false, false }));
        Assert.That(Margins.Certified(m, 2, 0).data<bool>().ToArray(), Is.EqualTo(new[] { true, true, false }), "a tie is not correct");
    }
}
