using System.CommandLine;
using Verify.Cli.Commands;
using Verify.Verification;

namespace Verify.Tests.Cli;

/// <summary>--mip-refine reaches the verifier's refinement policy; bad values are user errors.</summary>
public class MipRefineOptionTests
{
    static MipRefinePolicy Bind(params string[] args)
    {
        var binder = new VerifierOptionsBinder();
        var cmd = new Command("check");
        binder.AddTo(cmd);
        return binder.Bind(cmd.Parse(args), 10).MipRefinement;
    }

    [Test]
    public void DefaultRefinesAfterTheFirstSlice() => Assert.That(Bind(), Is.EqualTo(MipRefinePolicy.Automatic));

    [Test]
    public void OffTurnsItOff() => Assert.That(Bind("--mip-refine", "off"), Is.EqualTo(MipRefinePolicy.Off));

    [Test]
    public void SecondsRefineUpFront() => Assert.That(Bind("--mip-refine", "12.5"), Is.EqualTo(MipRefinePolicy.UpFront(12.5)));

    [Test]
    public void TheScheduleIsLayersUnlessSpreadIsAsked()
    {
        Assert.That(Bind().Schedule, Is.EqualTo(MipRefineSchedule.Layers));
        Assert.That(Bind("--mip-refine-schedule", "spread"), Is.EqualTo(MipRefinePolicy.Automatic with { Schedule = MipRefineSchedule.Spread }));
        Assert.That(Bind("--mip-refine", "20", "--mip-refine-schedule", "spread").Schedule, Is.EqualTo(MipRefineSchedule.Spread));
        var spread = (MipRefinePolicy.Automatic with { Schedule = MipRefineSchedule.Spread }).Options(30, 0, new Verify.Bounds.OptimizationOptions());
        Assert.That((spread.SpreadOverNodes, spread.NeuronSeconds), Is.EqualTo((true, 2.0)));
        var layers = MipRefinePolicy.Automatic.Options(30, 0, new Verify.Bounds.OptimizationOptions());
        Assert.That((layers.SpreadOverNodes, layers.NeuronSeconds), Is.EqualTo((false, 5.0)));
    }

    [TestCase("soon")]
    [TestCase("3s")]
    public void OtherValuesAreUserErrors(string value) =>
        Assert.That(() => Bind("--mip-refine", value), Throws.TypeOf<VerifyException>().With.Message.Contains("--mip-refine"));
}
