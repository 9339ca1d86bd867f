using System.CommandLine;
using Verify.Branching;
using Verify.Cli.Commands;

using Verify.Tests.Support;

namespace Verify.Tests.Cli;

/// <summary>--max-memory reaches the branch-and-bound options in bytes; without it the default share applies; non-positive values are user errors.</summary>
public class MemoryOptionTests
{
    static (VerifierOptionsBinder Binder, ParseResult Parse) Parse(params string[] args) => CheckOptions.Parse(args);

    [Test]
    public void GibibytesBecomeBytes()
    {
        var (binder, parse) = Parse("--max-memory", "1.5");
        Assert.That(binder.Bind(parse, 10).Bab.MaxMemoryBytes, Is.EqualTo(3L << 29));
    }

    [Test]
    public void AbsentMeansTheDefaultShare()
    {
        var (binder, parse) = Parse();
        Assert.That(binder.Bind(parse, 10).Bab.MaxMemoryBytes, Is.EqualTo(MemoryUse.DefaultLimitBytes()));
    }

    [TestCase("0")]
    [TestCase("-2")]
    public void NonPositiveIsAUserError(string value)
    {
        var (binder, parse) = Parse("--max-memory", value);
        Assert.That(() => binder.Bind(parse, 10), Throws.TypeOf<VerifyException>().With.Message.Contains("--max-memory"));
    }
}
