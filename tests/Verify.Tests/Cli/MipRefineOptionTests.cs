using System.CommandLine;
using Verify.Cli.Commands;
using Verify.Verification;

using Verify.Tests.Support;

namespace Verify.Tests.Cli;

/// <summary>--mip-refine reaches the verifier's refinement policy; bad values are user errors.</summary>
public class MipRefineOptionTests
{
    static MipRefinePolicy Bind(params string[] args)
    {
        var (binder, parse) = CheckOptions.Parse(args);
        return binder.Bind(parse, 10).MipRefine;
    }

    [Test]
    public void DefaultRefinesAfterTheFirstSlice() => Assert.That(Bind(), Is.EqualTo(MipRefinePolicy.Automatic));

    [Test]
    public void OffTurnsItOff() => Assert.That(Bind("--mip-refine", "off"), Is.EqualTo(MipRefinePolicy.Off));

    [Test]
    public void SecondsRefineUpFront() => Assert.That(Bind("--mip-refine", "12.5"), Is.EqualTo(MipRefinePolicy.UpFront(12.5)));

    [Test]
    public void TheScheduleIsSpreadUnlessLayersIsAsked()
    {
        Assert.That(Bind().Schedule, Is.EqualTo(MipRefineSchedule.Spread));
        Assert.That(Bind("--mip-refine-schedule", "layers"), Is.EqualTo(MipRefinePolicy.Automatic with { Schedule = MipRefineSchedule.Layers }));
        Assert.That(Bind("--mip-refine", "20", "--mip-refine-schedule", "layers").Schedule, Is.EqualTo(MipRefineSchedule.Layers));
        var spread = MipRefinePolicy.Automatic.Options(30, 0, new Verify.Bounds.OptimizationOptions());
        Assert.That((spread.SpreadOverNodes, spread.NeuronSeconds, spread.ExactLayers), Is.EqualTo((true, 2.0, 1)));
        var layers = (MipRefinePolicy.Automatic with { Schedule = MipRefineSchedule.Layers }).Options(30, 0, new Verify.Bounds.OptimizationOptions());
        Assert.That((layers.SpreadOverNodes, layers.NeuronSeconds, layers.ExactLayers), Is.EqualTo((false, 5.0, 1)));
    }

    [Test]
    public void ExactLayersReachThePolicyAndZeroMeansAll()
    {
        Assert.That(Bind().ExactLayers, Is.EqualTo(1));
        Assert.That(Bind().NearestBinaries, Is.EqualTo(24));
        Assert.That(Bind("--mip-refine-binaries", "0").Options(30, 0, new Verify.Bounds.OptimizationOptions()).NearestBinaries, Is.Zero);
        Assert.That(() => Bind("--mip-refine-binaries", "-2"), Throws.TypeOf<VerifyException>().With.Message.Contains("--mip-refine-binaries"));
        Assert.That(Bind("--mip-refine-exact-layers", "0").ExactLayers, Is.Zero);
        Assert.That(Bind("--mip-refine-exact-layers", "3").Options(30, 0, new Verify.Bounds.OptimizationOptions()).ExactLayers, Is.EqualTo(3));
        Assert.That(() => Bind("--mip-refine-exact-layers", "-1"), Throws.TypeOf<VerifyException>().With.Message.Contains("--mip-refine-exact-layers"));
    }

    [TestCase("soon")]
    [TestCase("3s")]
    public void OtherValuesAreUserErrors(string value) =>
        Assert.That(() => Bind("--mip-refine", value), Throws.TypeOf<VerifyException>().With.Message.Contains("--mip-refine"));
}
