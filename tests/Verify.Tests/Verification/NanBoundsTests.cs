using System.Globalization;
using Verify.Graph;
using Verify.Import;
using Verify.Operators;
using Verify.Spec;
using Verify.Tests.Support;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Verification;

/// <summary>
/// A network whose weights hold NaN (or infinity) has NaN bounds: whatever the method, the check never says the
/// property holds, though the property is so loose that any finite bound would prove it.
/// </summary>
public class NanBoundsTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-nan-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static IEnumerable<TestCaseData> Placements()
    {
        yield return new TestCaseData("first weight", double.NaN);
        yield return new TestCaseData("first bias", double.NaN);
        yield return new TestCaseData("hidden weight", double.NaN);
        yield return new TestCaseData("last weight", double.NaN);
        yield return new TestCaseData("first weight", double.PositiveInfinity);
    }

    /// <summary>A 3-8-8-2 ReLU network with one parameter replaced, written to ONNX; Y_0 - Y_1 &lt;= -1000 on [-0.5, 0.5]^3.</summary>
    (string Model, string Spec) Write(string where, double value)
    {
        var g = RandomNetworks.Mlp(new[] { 3, 8, 8, 2 }, 5, weightScale: 1.6);
        var linear = g.Nodes.Select(n => n.Op).OfType<Linear>().ToArray();
        switch (where)
        {
            case "first weight": linear[0].Weight[2, 1] = value; break;
            case "first bias": linear[0].Bias![2] = value; break;
            case "hidden weight": linear[1].Weight[3, 4] = value; break;
            default: linear[2].Weight[0, 5] = value; break;
        }
        var model = OnnxMlp.Write(g, Path.Combine(dir, "nan.onnx"));
        var spec = Path.Combine(dir, "loose.vnnlib");
        File.WriteAllText(spec, VnnlibText.Of(new[] { -0.5, -0.5, -0.5 }, new[] { 0.5, 0.5, 0.5 }, 2,
            new[] { new[] { new VnnlibText.Atom(0, 1, false, -1000) } }));
        return (model, spec);
    }

    /// <summary>Every <see cref="MethodChoice"/> with and without input splitting.</summary>
    const int Combinations = 6 * 2;

    [TestCaseSource(nameof(Placements))]
    public void EveryMethodAndSplittingAnswersUnknownNeverHolds(string where, double value)
    {
        var (model, spec) = Write(where, value);
        var graph = OnnxImporter.Load(model);
        var property = VnnlibReader.Load(spec, 3, 2);
        using var runner = new OnnxRuntimeRunner(model);
        int unknown = 0, refused = 0;
        var methods = Enum.GetValues<MethodChoice>();
        Assert.That(methods, Has.Length.EqualTo(Combinations / 2), "a new MethodChoice: update Combinations");
        foreach (var method in methods)
            foreach (int splitInputs in new[] { 100, 0 })
            {
                using var scope = torch.NewDisposeScope();
                var options = VerifierOptions.Default with { Method = method, TimeoutSeconds = 10, InputSplitMaxInputs = splitInputs };
                var what = $"{method}, input splitting up to {splitInputs} inputs";
                VerificationResult result;
                try
                {
                    result = Verifier.Check(graph, runner, property, options);
                }
                catch (VerifyException e)
                {
                    // Only the MIP refuses such a network, as a user error (the CLI reports it) that names the reason.
                    Assert.That(method, Is.EqualTo(MethodChoice.Mip), $"{what}: unexpected user error {e.Message}");
                    Assert.That(e.Message, Does.Contain("NaN or infinite parameter"), what);
                    refused++;
                    continue;
                }
                Assert.That(result.Verdict, Is.EqualTo(Verdict.Unknown), $"{what}: {result.Reason}");
                unknown++;
            }
        // Every combination asserted something: none was skipped silently.
        Assert.That(unknown + refused, Is.EqualTo(Combinations), $"{unknown} unknown and {refused} refused");
        Assert.That(unknown, Is.GreaterThanOrEqualTo(Combinations - 2), "only the MIP (two combinations) may refuse the network");
    }

    [TestCase("auto")]
    [TestCase("mip")]
    public void CliReportsUnknownOrAnErrorNeverUnsat(string method)
    {
        var (model, spec) = Write("last weight", double.NaN);
        var result = Path.Combine(dir, "result.txt");
        var o = CliRunner.Run("check", model, spec, "--method", method, "--result", result, "--timeout", "10");
        Assert.That(o.ExitCode, Is.EqualTo(0).Or.EqualTo(2), $"the CLI crashed: {o.Stderr}");
        Assert.That(o.Stdout, Does.Not.Contain("holds"));
        if (o.ExitCode == 0) Assert.That(File.ReadAllText(result).Trim(), Is.Not.EqualTo("unsat"));
        else Assert.That(o.Stderr + o.Stdout, Does.Contain("error"));
    }
}
