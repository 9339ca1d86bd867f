using System.Diagnostics;
using System.Text;
using Verify.Spec;

namespace Verify.Tests.Spec;

/// <summary>
/// Regressions found by parser fuzzing: VNNLIB texts that crashed the process (StackOverflow) or ran out of time and
/// memory are user errors, found before anything large is allocated.
/// </summary>
public class VnnlibLimitsTests
{
    static string Declare(int inputs, int outputs) =>
        string.Concat(Enumerable.Range(0, inputs).Select(i => $"(declare-const X_{i} Real)\n")) +
        string.Concat(Enumerable.Range(0, outputs).Select(j => $"(declare-const Y_{j} Real)\n")) +
        string.Concat(Enumerable.Range(0, inputs).Select(i => $"(assert (>= X_{i} 0)) (assert (<= X_{i} 1))\n"));

    static string Repeat(string unit, int n) => new StringBuilder(unit.Length * n).Insert(0, unit, n).ToString();

    /// <summary>Runs the reader on a thread with a 1 MiB stack, as small as any thread the program reads on.</summary>
    static Exception? ReadOnSmallStack(string text, int inputs, int outputs)
    {
        Exception? error = null;
        var t = new Thread(() =>
        {
            try { VnnlibReader.Parse(text, "p.vnnlib", inputs, outputs); }
            catch (Exception e) { error = e; }
        }, 1 << 20);
        t.Start();
        t.Join();
        return error;
    }

    [TestCase("(not ", "(<= Y_0 1)")]
    [TestCase("(and ", "(<= Y_0 1)")]
    [TestCase("(or ", "(>= Y_0 -1)")]
    public void HundredThousandNestedFormulasAreAUserErrorNotAStackOverflow(string open, string inner)
    {
        var text = Declare(1, 1) + "(assert " + Repeat(open, 100_000) + inner + Repeat(")", 100_000) + ")\n";
        var e = ReadOnSmallStack(text, 1, 1);
        Assert.That(e, Is.TypeOf<VerifyException>());
        Assert.That(e!.Message, Does.Contain($"nested more than {SExpressionReader.MaxDepth} deep"));
    }

    [Test]
    public void HundredThousandNestedTermsAreAUserError()
    {
        var text = Declare(1, 1) + "(assert (<= " + Repeat("(+ ", 100_000) + "Y_0" + Repeat(")", 100_000) + " 1))\n";
        Assert.That(ReadOnSmallStack(text, 1, 1), Is.TypeOf<VerifyException>());
    }

    [Test]
    public void NestingJustBelowTheLimitIsReadOnASmallStack()
    {
        int depth = SExpressionReader.MaxDepth - 2;   // the assert and the comparison are two of the levels
        var text = Declare(1, 1) + "(assert " + Repeat("(not ", depth - 1) + "(<= Y_0 1)" + Repeat(")", depth - 1) + ")\n";
        Assert.That(ReadOnSmallStack(text, 1, 1), Is.Null);
        var p = VnnlibReader.Parse(text, "p.vnnlib", 1, 1);
        // An odd number of negations of Y_0 <= 1 is Y_0 >= 1, that is -Y_0 <= -1.
        Assert.That(p.Cases[0].Disjuncts[0].C[0][0], Is.EqualTo(depth % 2 == 0 ? -1.0 : 1.0));
    }

    [Test]
    public void ProductOfLongConjunctionsIsRejectedQuickly()
    {
        string Conjunction(string op) => "(and" + string.Concat(Enumerable.Range(0, 200).Select(i => $" ({op} Y_0 {i})")) + ")";
        var text = Declare(1, 1) + "(assert (and" + Repeat($" (or {Conjunction("<=")} {Conjunction(">=")})", 14) + "))\n";
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<VerifyException>(() => VnnlibReader.Parse(text, "p.vnnlib", 1, 1));
        Assert.That(e!.Message, Does.Contain("comparisons in disjunctive normal form"));
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(5));
    }

    [Test]
    public void ManyComparisonsOfManyOutputsAreRejectedBeforeAllocatingTheirRows()
    {
        const int outputs = 20_000;
        var text = Declare(1, outputs) + string.Concat(Enumerable.Range(0, outputs).Select(j => $"(assert (<= Y_{j} Y_{(j + 1) % outputs}))\n"));
        long before = GC.GetTotalAllocatedBytes();
        var e = Assert.Throws<VerifyException>(() => VnnlibReader.Parse(text, "p.vnnlib", 1, outputs));
        Assert.That(e!.Message, Does.Contain("compares outputs more often than supported"));
        // 20,000 rows of 20,000 doubles would be 3.2 GB.
        Assert.That(GC.GetTotalAllocatedBytes() - before, Is.LessThan(1L << 30));
    }

    [Test]
    public void ManyInputBoxesOfManyInputsAreRejected()
    {
        const int inputs = 784, boxes = 50_000;
        var text = Declare(inputs, 1) + "(assert (or" +
            string.Concat(Enumerable.Range(0, boxes).Select(i => $" (and (>= X_0 -{i + 1}) (<= X_0 {i + 1}) (<= Y_0 0))")) + "))\n";
        var e = Assert.Throws<VerifyException>(() => VnnlibReader.Parse(text, "p.vnnlib", inputs, 1));
        Assert.That(e!.Message, Does.Contain($"{boxes} input boxes of {inputs} inputs"));
    }

    [Test]
    public void ManyInputBoxesOfFewInputsAreStillRead()
    {
        const int boxes = 20_000;
        var text = "(declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real)\n(assert (>= X_1 0)) (assert (<= X_1 1))\n" +
            "(assert (or" + string.Concat(Enumerable.Range(0, boxes).Select(i => $" (and (>= X_0 {i}) (<= X_0 {i + 1}) (<= Y_0 0))")) + "))\n";
        var p = VnnlibReader.Parse(text, "p.vnnlib", 2, 1);
        Assert.That(p.Cases, Has.Count.EqualTo(boxes));
        Assert.That(p.Cases[^1].Box.Lower, Is.EqualTo(new[] { boxes - 1.0, 0 }));
    }
}
