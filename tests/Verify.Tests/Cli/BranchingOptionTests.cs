using System.CommandLine;
using Verify.Branching;
using Verify.Cli.Commands;

using Verify.Tests.Support;

namespace Verify.Tests.Cli;

/// <summary>--bab-branching, --fsb-candidates and --bab-split-point reach the branch-and-bound options; bad values are user errors.</summary>
public class BranchingOptionTests
{
    static (VerifierOptionsBinder Binder, ParseResult Parse) Parse(params string[] args) => CheckOptions.Parse(args);

    [Test]
    public void DefaultIsBabsr()
    {
        var (binder, parse) = Parse();
        Assert.That(binder.Bind(parse, 10).Bab.Branching, Is.EqualTo(BranchingRule.BaBsr));
    }

    [Test]
    public void FsbWithItsCandidates()
    {
        var (binder, parse) = Parse("--bab-branching", "fsb", "--fsb-candidates", "5");
        var bab = binder.Bind(parse, 10).Bab;
        Assert.That((bab.Branching, bab.FsbCandidates), Is.EqualTo((BranchingRule.Fsb, 5)));
    }

    [Test]
    public void ZeroCandidatesIsAUserError()
    {
        var (binder, parse) = Parse("--bab-branching", "fsb", "--fsb-candidates", "0");
        Assert.That(() => binder.Bind(parse, 10), Throws.TypeOf<VerifyException>().With.Message.Contains("--fsb-candidates"));
    }

    [Test]
    public void UnknownRuleIsRejected() => Assert.That(Parse("--bab-branching", "random").Parse.Errors, Is.Not.Empty);

    [Test]
    public void SplitPointDefaultsToMinAreaAndTakesMidpoint()
    {
        Assert.That(Parse().Binder.Bind(Parse().Parse, 10).Bab.SplitPoint, Is.EqualTo(SplitPointRule.MinArea));
        var (binder, parse) = Parse("--bab-split-point", "midpoint");
        Assert.That(binder.Bind(parse, 10).Bab.SplitPoint, Is.EqualTo(SplitPointRule.Midpoint));
        Assert.That(Parse("--bab-split-point", "third").Parse.Errors, Is.Not.Empty);
    }
}
