using System.Diagnostics;
using NUnit.Framework;
using Verify.Spec;
using Verify.Tests.Support;

namespace Verify.Tests.Spec;

public class VnnlibReaderTests
{
    const string Source = "p.vnnlib";

    /// <summary>All declarations on line 1, so that the text after it starts on line 2.</summary>
    static string Declare(int inputs, int outputs) =>
        string.Join(" ", Enumerable.Range(0, inputs).Select(i => $"(declare-const X_{i} Real)")
            .Concat(Enumerable.Range(0, outputs).Select(j => $"(declare-const Y_{j} Real)"))) + "\n";

    static VnnProperty Read(string text, int inputs, int outputs) => VnnlibReader.Parse(text, Source, inputs, outputs);

    static void AssertError(string text, int inputs, int outputs, string message)
    {
        var e = Assert.Throws<VerifyException>(() => Read(text, inputs, outputs));
        Assert.That(e!.Message, Is.EqualTo(message));
    }

    /// <summary>The shape of a property: cases separated by '|', each the atom count of every disjunct.</summary>
    static string Shape(VnnProperty p) => string.Join("|", p.Cases.Select(c => string.Join(",", c.Disjuncts.Select(d => d.Atoms))));

    static void AssertBox(PropertyCase c, double[] lower, double[] upper)
    {
        Assert.That(c.Box.Lower, Is.EqualTo(lower), "lower");
        Assert.That(c.Box.Upper, Is.EqualTo(upper), "upper");
    }

    static void AssertConjunction(OutputConjunction conj, double[][] c, double[] d)
    {
        Assert.That(conj.C, Is.EqualTo(c), "C");
        Assert.That(conj.D, Is.EqualTo(d), "D");
    }

    // ----- forms -----

    [Test]
    public void SeparateAssertsOnInputsAreConjoinedIntoOneBox()
    {
        var p = Read(Declare(3, 2) +
            "(assert (<= X_0 1))\n(assert (>= X_0 -1))\n(assert (<= X_1 0.5))\n(assert (>= X_1 0))\n" +
            "(assert (>= X_2 2)) (assert (<= X_2 3))\n(assert (<= Y_0 3))\n", 3, 2);
        Assert.That((p.InputSize, p.OutputSize, p.Source, Shape(p)), Is.EqualTo((3, 2, Source, "1")));
        AssertBox(p.Cases[0], new[] { -1.0, 0, 2 }, new[] { 1.0, 0.5, 3 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { 1.0, 0 } }, new[] { 3.0 });
    }

    [Test]
    public void RepeatedBoundsOfAnInputKeepTheTightest()
    {
        var p = Read(Declare(1, 1) + "(assert (<= X_0 5)) (assert (<= X_0 2)) (assert (<= X_0 4)) (assert (>= X_0 -3)) (assert (>= X_0 -1))\n", 1, 1);
        AssertBox(p.Cases[0], new[] { -1.0 }, new[] { 2.0 });
    }

    [Test]
    public void AVariableMayStandOnEitherSideOfAComparison()
    {
        var p = Read(Declare(2, 1) + "(assert (<= 0.5 X_0))\n(assert (>= 1 X_0))\n(assert (< -2 X_1))\n(assert (> 4 X_1))\n(assert (<= 1 Y_0))\n", 2, 1);
        AssertBox(p.Cases[0], new[] { 0.5, -2 }, new[] { 1.0, 4 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0 } }, new[] { -1.0 });
    }

    [Test]
    public void EqualityOnAnInputGivesAZeroWidthInterval()
    {
        var p = Read(Declare(2, 1) + "(assert (= X_0 0.25))\n(assert (= 2 X_1))\n(assert (>= Y_0 0))\n", 2, 1);
        AssertBox(p.Cases[0], new[] { 0.25, 2 }, new[] { 0.25, 2 });
    }

    [Test]
    public void AnOutputAgainstAConstantBecomesARowOfCAndD()
    {
        var p = Read(Declare(1, 3) + "(assert (>= X_0 0)) (assert (<= X_0 1))\n(assert (<= Y_0 3))\n(assert (>= Y_2 -1))\n", 1, 3);
        Assert.That(Shape(p), Is.EqualTo("2"));
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { 1.0, 0, 0 }, new[] { 0.0, 0, -1 } }, new[] { 3.0, 1 });
    }

    [Test]
    public void AnOutputAgainstAnotherOutputBecomesARowOfCAndD()
    {
        var p = Read(Declare(1, 3) + "(assert (>= X_0 0)) (assert (<= X_0 1))\n(assert (>= Y_0 Y_1))\n(assert (<= Y_2 Y_1))\n", 1, 3);
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0, 1, 0 }, new[] { 0.0, -1, 1 } }, new[] { 0.0, 0 });
    }

    [Test]
    public void StrictComparisonsAreReadAsNonStrict()
    {
        var p = Read(Declare(1, 2) + "(assert (> X_0 0)) (assert (< X_0 1))\n(assert (< Y_0 2))\n(assert (> Y_1 Y_0))\n", 1, 2);
        AssertBox(p.Cases[0], new[] { 0.0 }, new[] { 1.0 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { 1.0, 0 }, new[] { 1.0, -1 } }, new[] { 2.0, 0 });
    }

    [Test]
    public void LinearTermsAreEvaluated()
    {
        var p = Read(Declare(1, 3) +
            "(assert (<= (* 2 X_0) 1))\n(assert (<= (- X_0) 1))\n" +
            "(assert (<= (+ Y_0 (* 2 Y_1)) (- 3 Y_2)))\n" +
            "(assert (>= (* -0.5 (- Y_0 Y_1)) (/ 1 4)))\n" +
            "(assert (<= (+ Y_0 Y_0 (* Y_2 3) (- Y_0)) 0))\n", 1, 3);
        AssertBox(p.Cases[0], new[] { -1.0 }, new[] { 0.5 });
        AssertConjunction(p.Cases[0].Disjuncts[0],
            new[] { new[] { 1.0, 2, 1 }, new[] { 0.5, -0.5, 0 }, new[] { 1.0, 0, 3 } },
            new[] { 3.0, -0.25, 0 });
    }

    [Test]
    public void EqualityBetweenOutputsBecomesTwoRows()
    {
        var p = Read(Declare(1, 2) + "(assert (>= X_0 0)) (assert (<= X_0 1))\n(assert (= Y_0 Y_1))\n", 1, 2);
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { 1.0, -1 }, new[] { -1.0, 1 } }, new[] { 0.0, 0 });
    }

    [Test]
    public void AChainedComparisonConstrainsEveryAdjacentPair()
    {
        var p = Read(Declare(1, 3) + "(assert (<= 0 X_0 1))\n(assert (<= Y_0 Y_1 Y_2))\n", 1, 3);
        AssertBox(p.Cases[0], new[] { 0.0 }, new[] { 1.0 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { 1.0, -1, 0 }, new[] { 0.0, 1, -1 } }, new[] { 0.0, 0 });
    }

    [Test]
    public void NumbersAreReadInEveryNotation()
    {
        var p = Read(Declare(4, 1) +
            "(assert (>= X_0 -0.5)) (assert (<= X_0 2))\n" +
            "(assert (>= X_1 1e-5)) (assert (<= X_1 2.5E+3))\n" +
            "(assert (>= X_2 (- 5))) (assert (<= X_2 .75))\n" +
            "(assert (>= X_3 -3e-2)) (assert (<= X_3 +4.))\n(assert (>= Y_0 1.5e1))\n", 4, 1);
        AssertBox(p.Cases[0], new[] { -0.5, 1e-5, -5, -0.03 }, new[] { 2.0, 2500, 0.75, 4 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0 } }, new[] { -15.0 });
    }

    [Test]
    public void AnOrOfConjunctionsGivesOneDisjunctPerConjunction()
    {
        var p = Read(Declare(1, 5) + "(assert (>= X_0 0)) (assert (<= X_0 1))\n" +
            "(assert (or\n  (and (<= Y_3 Y_0) (<= Y_3 Y_1))\n  (and (<= Y_4 Y_0))\n))\n", 1, 5);
        Assert.That(Shape(p), Is.EqualTo("2,1"));
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0, 0, 0, 1, 0 }, new[] { 0.0, -1, 0, 1, 0 } }, new[] { 0.0, 0 });
        AssertConjunction(p.Cases[0].Disjuncts[1], new[] { new[] { -1.0, 0, 0, 0, 1 } }, new[] { 0.0 });
    }

    [Test]
    public void AnOrOfBareAtomsGivesOneSingleAtomDisjunctPerAtom()
    {
        var p = Read(Declare(1, 3) + "(assert (>= X_0 0)) (assert (<= X_0 1))\n(assert (or (>= Y_0 Y_2) (>= Y_1 Y_2)))\n", 1, 3);
        Assert.That(Shape(p), Is.EqualTo("1,1"));
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0, 0, 1 } }, new[] { 0.0 });
        AssertConjunction(p.Cases[0].Disjuncts[1], new[] { new[] { 0.0, -1, 1 } }, new[] { 0.0 });
    }

    [Test]
    public void OutputAtomsOutsideTheOrJoinEveryDisjunct()
    {
        var p = Read(Declare(1, 3) + "(assert (>= X_0 0)) (assert (<= X_0 1))\n(assert (or (>= Y_1 1) (>= Y_2 1)))\n(assert (>= Y_0 0))\n", 1, 3);
        Assert.That(Shape(p), Is.EqualTo("2,2"));
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0, 0, 0 }, new[] { 0.0, -1, 0 } }, new[] { 0.0, -1 });
        AssertConjunction(p.Cases[0].Disjuncts[1], new[] { new[] { -1.0, 0, 0 }, new[] { 0.0, 0, -1 } }, new[] { 0.0, -1 });
    }

    [Test]
    public void ConjoinedOrsMultiplyOutInOrder()
    {
        var p = Read(Declare(1, 2) + "(assert (>= X_0 0)) (assert (<= X_0 1))\n" +
            "(assert (or (>= Y_0 1) (>= Y_1 1)))\n(assert (or (<= Y_0 5) (<= Y_1 5)))\n", 1, 2);
        Assert.That(Shape(p), Is.EqualTo("2,2,2,2"));
        var expected = new[]
        {
            (new[] { new[] { -1.0, 0 }, new[] { 1.0, 0 } }, new[] { -1.0, 5 }),
            (new[] { new[] { -1.0, 0 }, new[] { 0.0, 1 } }, new[] { -1.0, 5 }),
            (new[] { new[] { 0.0, -1 }, new[] { 1.0, 0 } }, new[] { -1.0, 5 }),
            (new[] { new[] { 0.0, -1 }, new[] { 0.0, 1 } }, new[] { -1.0, 5 }),
        };
        for (int k = 0; k < 4; k++) AssertConjunction(p.Cases[0].Disjuncts[k], expected[k].Item1, expected[k].Item2);
    }

    [Test]
    public void AnOrOfInputBoxesCrossedWithAnOutputOrGivesOneCasePerBoxWithEveryOutputDisjunct()
    {
        var p = Read(Declare(2, 3) +
            "(assert (or\n  (and (>= X_0 0) (<= X_0 1) (>= X_1 0) (<= X_1 1))\n  (and (>= X_0 -1) (<= X_0 0) (>= X_1 2) (<= X_1 3))\n))\n" +
            "(assert (or (and (<= Y_1 Y_0)) (and (<= Y_2 Y_0))))\n", 2, 3);
        Assert.That(Shape(p), Is.EqualTo("1,1|1,1"));
        AssertBox(p.Cases[0], new[] { 0.0, 0 }, new[] { 1.0, 1 });
        AssertBox(p.Cases[1], new[] { -1.0, 2 }, new[] { 0.0, 3 });
        foreach (var c in p.Cases)
        {
            AssertConjunction(c.Disjuncts[0], new[] { new[] { -1.0, 1, 0 } }, new[] { 0.0 });
            AssertConjunction(c.Disjuncts[1], new[] { new[] { -1.0, 0, 1 } }, new[] { 0.0 });
        }
    }

    [Test]
    public void DisjunctsMixingInputsAndOutputsGetTheirOwnBoxIntersectedWithTheSharedBounds()
    {
        var p = Read(Declare(2, 2) + "(assert (>= X_1 0)) (assert (<= X_1 1)) (assert (<= X_0 0.5))\n" +
            "(assert (or\n  (and (>= X_0 -1) (<= X_0 0) (>= Y_0 100))\n  (and (>= X_0 0) (<= X_0 1) (<= Y_0 -100) (>= Y_1 5))\n))\n", 2, 2);
        Assert.That(Shape(p), Is.EqualTo("1|2"));
        AssertBox(p.Cases[0], new[] { -1.0, 0 }, new[] { 0.0, 1 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0, 0 } }, new[] { -100.0 });
        AssertBox(p.Cases[1], new[] { 0.0, 0 }, new[] { 0.5, 1 });
        AssertConjunction(p.Cases[1].Disjuncts[0], new[] { new[] { 1.0, 0 }, new[] { 0.0, -1 } }, new[] { -100.0, -5 });
    }

    [Test]
    public void AnOrWithOneDisjunctMixingInputsAndOutputsIsOneCase()
    {
        var p = Read(Declare(1, 1) + "(assert (or\n    (and (>= X_0 -1) (<= X_0 1) (>= Y_0 100))\n))", 1, 1);
        Assert.That(Shape(p), Is.EqualTo("1"));
        AssertBox(p.Cases[0], new[] { -1.0 }, new[] { 1.0 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0 } }, new[] { -100.0 });
    }

    [Test]
    public void DisjunctsOverEqualBoxesAreMergedIntoOneCase()
    {
        var p = Read(Declare(1, 2) +
            "(assert (or (and (>= X_0 0) (<= X_0 1) (>= Y_0 1)) (and (<= X_0 1) (>= X_0 0) (>= Y_1 1)) (and (>= X_0 0) (<= X_0 2) (>= Y_1 2))))\n", 1, 2);
        Assert.That(Shape(p), Is.EqualTo("1,1|1"));
        AssertBox(p.Cases[0], new[] { 0.0 }, new[] { 1.0 });
        AssertConjunction(p.Cases[0].Disjuncts[1], new[] { new[] { 0.0, -1 } }, new[] { -1.0 });
        AssertBox(p.Cases[1], new[] { 0.0 }, new[] { 2.0 });
    }

    [Test]
    public void NotIsPushedDownToTheAtoms()
    {
        var p = Read(Declare(1, 2) + "(assert (not (> X_0 1))) (assert (not (not (>= X_0 0))))\n(assert (not (and (<= Y_0 1) (<= Y_1 1))))\n", 1, 2);
        AssertBox(p.Cases[0], new[] { 0.0 }, new[] { 1.0 });
        Assert.That(Shape(p), Is.EqualTo("1,1"));
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0, 0 } }, new[] { -1.0 });
        AssertConjunction(p.Cases[0].Disjuncts[1], new[] { new[] { 0.0, -1 } }, new[] { -1.0 });
    }

    [Test]
    public void APropertyWithoutOutputConstraintsIsOneDisjunctWithNoAtoms()
    {
        var p = Read(Declare(2, 3) + "(assert (>= X_0 0)) (assert (<= X_0 1)) (assert (>= X_1 0)) (assert (<= X_1 1))\n", 2, 3);
        Assert.That(Shape(p), Is.EqualTo("0"));
        Assert.That(p.Cases[0].Disjuncts[0].C, Is.Empty);
        Assert.That(p.Cases[0].Disjuncts[0].D, Is.Empty);
    }

    [Test]
    public void SmtLibBookkeepingCommandsAreIgnored()
    {
        var p = Read("(set-logic QF_LRA)\n" + Declare(1, 1) + "(assert (<= 0 X_0 1))\n(assert (>= Y_0 1))\n(check-sat)\n(get-model)\n(exit)\n", 1, 1);
        Assert.That(Shape(p), Is.EqualTo("1"));
    }

    // ----- malformed files -----

    [Test]
    public void AnUnclosedListNamesFileLineAndColumn() =>
        AssertError("(declare-const X_0 Real)\n(assert (>= X_0 0.5)\n", 1, 0, "p.vnnlib:2:1: expected ')' to close the list opened at 2:1, found end of file");

    [Test]
    public void AMissingParenthesisBeforeTheNextAssertIsPointedOut() =>
        AssertError(Declare(1, 1) + "(assert (<= X_0 1)\n(assert (>= X_0 0)))\n", 1, 1,
            "p.vnnlib:3:1: found (assert ...) inside an assert: is a ')' missing before it?");

    [Test]
    public void AnUndeclaredVariableIsReportedWhereItIsUsed() =>
        AssertError(Declare(1, 1) + "(assert (<= 0 X_0 1))\n(assert (>= Y_1 0))\n", 1, 1,
            "p.vnnlib:3:13: Y_1 is not declared (the network has 1 output: Y_0)");

    [Test]
    public void AVariableUsedBeforeItsDeclarationIsReported() =>
        AssertError("(declare-const X_0 Real)\n(assert (>= Y_0 0))\n(declare-const Y_0 Real)\n", 1, 1,
            "p.vnnlib:2:13: Y_0 is used before its declaration at 3:1");

    [Test]
    public void DeclaringFewerInputsThanTheNetworkHasNamesTheNetworksInputCount() =>
        AssertError(Declare(5, 5), 784, 5, "p.vnnlib: the property declares 5 inputs X_0..X_4 but the network has 784 inputs");

    [Test]
    public void DeclaringMoreInputsThanTheNetworkHasNamesTheNetworksInputCount() =>
        AssertError(Declare(784, 10), 5, 10, "p.vnnlib: the property declares 784 inputs X_0..X_783 but the network has 5 inputs");

    [Test]
    public void DeclaringTheWrongNumberOfOutputsNamesTheNetworksOutputCount()
    {
        AssertError(Declare(1, 1), 1, 10, "p.vnnlib: the property declares 1 output Y_0 but the network has 10 outputs");
        AssertError(Declare(1, 0), 1, 1, "p.vnnlib: the property declares no outputs but the network has 1 output");
    }

    [Test]
    public void DeclaringInputsWithGapsListsThem() =>
        AssertError("(declare-const X_0 Real) (declare-const X_3 Real) (declare-const Y_0 Real)\n", 3, 1,
            "p.vnnlib: the property declares 2 inputs (X_0, X_3) but the network has 3 inputs");

    [Test]
    public void AnIndexOutOfRangeIsReportedAtItsDeclaration() =>
        AssertError("(declare-const X_0 Real) (declare-const X_2 Real) (declare-const Y_0 Real)\n", 2, 1,
            "p.vnnlib:1:41: X_2 is out of range: the network has 2 inputs, X_0..X_1");

    [Test]
    public void AnInputWithoutALowerBoundIsReported() =>
        AssertError(Declare(2, 1) + "(assert (>= X_0 0)) (assert (<= X_0 1)) (assert (<= X_1 1))\n", 2, 1, "p.vnnlib: X_1 has no lower bound");

    [Test]
    public void AnInputWithoutAnUpperBoundIsReported() =>
        AssertError(Declare(2, 1) + "(assert (>= X_0 0)) (assert (<= X_0 1)) (assert (>= X_1 1))\n", 2, 1, "p.vnnlib: X_1 has no upper bound");

    [Test]
    public void AnInputWithoutABoundInOneOfSeveralBoxesNamesTheBox() =>
        AssertError(Declare(1, 1) + "(assert (or\n  (and (>= X_0 0) (<= X_0 1))\n  (and (<= X_0 3))\n))\n(assert (>= Y_0 0))\n", 1, 1,
            "p.vnnlib:4:8: X_0 has no lower bound in input box 2 of 2 (the disjunct that contains this constraint)");

    [Test]
    public void AnEmptyBoxNamesBothBounds() =>
        AssertError(Declare(1, 1) + "(assert (<= X_0 1))\n(assert (>= X_0 2))\n", 1, 1,
            "p.vnnlib:3:9: X_0 has an empty range: its lower bound 2 is above its upper bound 1 (set at 2:9)");

    [Test]
    public void AnUnknownOperatorIsReported()
    {
        AssertError(Declare(1, 1) + "(assert (=> Y_0 1))\n", 1, 1, "p.vnnlib:2:10: unknown operator '=>': formulas use and, or, not, <=, >=, <, >, =");
        AssertError(Declare(1, 2) + "(assert (<= (max Y_0 Y_1) 1))\n", 1, 2, "p.vnnlib:2:14: unknown operator 'max': terms use +, -, * and /");
    }

    [Test]
    public void ANonNumberWhereANumberIsExpectedIsReported()
    {
        AssertError(Declare(1, 1) + "(assert (<= X_0 one))\n", 1, 1, "p.vnnlib:2:17: expected a number or a variable X_i or Y_j, found 'one'");
        AssertError(Declare(1, 1) + "(assert (<= X_0 1.2.3))\n", 1, 1, "p.vnnlib:2:17: '1.2.3' is not a valid number");
        AssertError(Declare(1, 1) + "(assert (<= X_0 1e999))\n", 1, 1, "p.vnnlib:2:17: '1e999' is out of the range of double-precision numbers");
        AssertError(Declare(1, 1) + "(assert (<= X_0 (/ 1 Y_0)))\n", 1, 1, "p.vnnlib:2:22: expected a number as divisor, found 'Y_0'");
    }

    [Test]
    public void AProductOfVariablesIsRejected() =>
        AssertError(Declare(1, 2) + "(assert (<= (* Y_0 Y_1) 1))\n", 1, 2, "p.vnnlib:2:13: (* Y_0 Y_1) multiplies variables: only linear terms are supported");

    [Test]
    public void AComparisonMixingInputsAndOutputsIsRejected() =>
        AssertError(Declare(1, 1) + "(assert (<= X_0 Y_0))\n", 1, 1,
            "p.vnnlib:2:9: the comparison mixes inputs and outputs: inputs may only be bounded by constants (a box)");

    [Test]
    public void AComparisonOfTwoInputsIsRejected() =>
        AssertError(Declare(2, 1) + "(assert (<= X_0 X_1))\n", 2, 1,
            "p.vnnlib:2:9: the comparison relates several inputs (X_0, X_1): inputs may only be bounded by constants (a box)");

    [Test]
    public void AComparisonWithoutVariablesIsRejected() =>
        AssertError(Declare(1, 1) + "(assert (<= 1 2))\n", 1, 1,
            "p.vnnlib:2:9: the comparison has no variables: it does not constrain inputs or outputs");

    [Test]
    public void NegatedEqualityIsRejected() =>
        AssertError(Declare(1, 1) + "(assert (not (= Y_0 1)))\n", 1, 1, "p.vnnlib:2:14: (not (= ...)) is not supported: it is not a closed set");

    [Test]
    public void ADuplicateDeclarationIsReported() =>
        AssertError("(declare-const X_0 Real)\n(declare-const X_0 Real)\n", 1, 0, "p.vnnlib:2:1: X_0 is declared twice (first at 1:1)");

    [Test]
    public void ASortOtherThanRealIsReported() =>
        AssertError("(declare-const X_0 Int)\n", 1, 0, "p.vnnlib:1:20: X_0 is declared with sort 'Int', expected Real");

    [Test]
    public void ANameOtherThanXiOrYjIsReported() =>
        AssertError("(declare-const input0 Real)\n", 1, 0,
            "p.vnnlib:1:16: 'input0' is not a VNNLIB variable: inputs are named X_0, X_1, ... and outputs Y_0, Y_1, ...");

    [Test]
    public void AnUnknownCommandIsReported() =>
        AssertError(Declare(1, 1) + "(define-fun f () Real 1)\n", 1, 1,
            "p.vnnlib:2:2: unknown command 'define-fun': a VNNLIB file holds (declare-const ...) and (assert ...)");

    [Test]
    public void AnAtomAtTopLevelIsReported() =>
        AssertError(Declare(1, 1) + "  assert\n", 1, 1, "p.vnnlib:2:3: expected a command such as (declare-const X_0 Real) or (assert ...), found assert");

    [Test]
    public void AnAssertNeedsExactlyOneFormula()
    {
        AssertError(Declare(1, 1) + "(assert)\n", 1, 1, "p.vnnlib:2:1: 'assert' takes exactly one formula, found 0");
        AssertError(Declare(1, 1) + "(assert (<= Y_0 1) (<= Y_0 2))\n", 1, 1, "p.vnnlib:2:1: 'assert' takes exactly one formula, found 2");
    }

    [Test]
    public void AnAssertOfATermInsteadOfAFormulaIsReported() =>
        AssertError(Declare(1, 1) + "(assert X_0)\n", 1, 1, "p.vnnlib:2:9: expected a formula such as (<= X_0 1), (and ...) or (or ...), found 'X_0'");

    [Test]
    public void AnExplodingNormalFormIsRejected()
    {
        var ors = string.Concat(Enumerable.Range(0, 17).Select(k => $"(assert (or (>= Y_0 {k}) (<= Y_0 {k})))\n"));
        AssertError(Declare(1, 1) + "(assert (<= 0 X_0 1))\n" + ors, 1, 1,
            "p.vnnlib:19:1: the property expands to 131072 disjuncts in disjunctive normal form, more than the 100000 supported");
    }

    [Test]
    public void LoadingAMissingFileIsAUserError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.vnnlib");
        var e = Assert.Throws<VerifyException>(() => VnnlibReader.Load(path, 1, 1));
        Assert.That(e!.Message, Is.EqualTo($"property file not found: {path}"));
    }

    [Test]
    public void LoadingAFileNamesItInMessagesAndAsSource()
    {
        var path = Path.Combine(Path.GetTempPath(), $"prop-{Guid.NewGuid():N}.vnnlib");
        try
        {
            File.WriteAllText(path, Declare(1, 1) + "(assert (<= 0 X_0 1))\n(assert (>= Y_0 1))\n");
            Assert.That(VnnlibReader.Load(path, 1, 1).Source, Is.EqualTo(path));
            File.AppendAllText(path, "(assert (>= Y_0 Z))\n");
            var e = Assert.Throws<VerifyException>(() => VnnlibReader.Load(path, 1, 1));
            Assert.That(e!.Message, Is.EqualTo($"{path}:4:17: expected a number or a variable X_i or Y_j, found 'Z'"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ----- VNN-COMP 2021 files -----

    static string Benchmark(params string[] parts) => Paths.SharedOrIgnore(new[] { "benchmarks", "vnncomp2021" }.Concat(parts).ToArray());

    [Test]
    public void AnMnistfcRobustnessPropertyIsOneBoxOf784InputsWithNineDisjuncts()
    {
        var p = VnnlibReader.Load(Benchmark("mnistfc", "prop_0_0.03.vnnlib"), 784, 10);
        Assert.That(Shape(p), Is.EqualTo("1,1,1,1,1,1,1,1,1"));
        var box = p.Cases[0].Box;
        Assert.That(box.Size, Is.EqualTo(784));
        Assert.That(box.Lower[783], Is.EqualTo(0.0));
        Assert.That(box.Upper[783], Is.EqualTo(0.029999999329447746));
        for (int i = 0; i < 784; i++) Assert.That(box.Lower[i], Is.LessThanOrEqualTo(box.Upper[i]));
        // Label 8: disjunct k is Y_j >= Y_8 with j = 0..7, 9, i.e. Y_8 - Y_j <= 0.
        var others = new[] { 0, 1, 2, 3, 4, 5, 6, 7, 9 };
        for (int k = 0; k < 9; k++)
        {
            var row = new double[10];
            row[others[k]] = -1;
            row[8] = 1;
            AssertConjunction(p.Cases[0].Disjuncts[k], new[] { row }, new[] { 0.0 });
        }
    }

    [Test]
    public void EveryMnistfcPropertyIsOneBoxWithNineDisjuncts()
    {
        var files = Directory.GetFiles(Benchmark("mnistfc"), "*.vnnlib");
        Assert.That(files, Is.Not.Empty);
        foreach (var file in files)
        {
            var p = VnnlibReader.Load(file, 784, 10);
            Assert.That(Shape(p), Is.EqualTo("1,1,1,1,1,1,1,1,1"), file);
        }
    }

    [TestCase("prop_1.vnnlib", "1")]
    [TestCase("prop_2.vnnlib", "4")]
    [TestCase("prop_3.vnnlib", "4")]
    [TestCase("prop_4.vnnlib", "4")]
    [TestCase("prop_5.vnnlib", "1,1,1,1")]
    [TestCase("prop_6.vnnlib", "1,1,1,1|1,1,1,1")]
    [TestCase("prop_7.vnnlib", "3,3")]
    [TestCase("prop_8.vnnlib", "2,2,2")]
    [TestCase("prop_9.vnnlib", "1,1,1,1")]
    [TestCase("prop_10.vnnlib", "1,1,1,1")]
    public void AcasXuPropertiesHaveTheirCasesAndDisjuncts(string file, string shape)
    {
        var p = VnnlibReader.Load(Benchmark("acasxu", file), 5, 5);
        Assert.That(Shape(p), Is.EqualTo(shape));
        Assert.That(p.Cases.All(c => c.Box.Size == 5));
    }

    [Test]
    public void AcasXuProperty1IsCocAtLeastItsThreshold()
    {
        var p = VnnlibReader.Load(Benchmark("acasxu", "prop_1.vnnlib"), 5, 5);
        AssertBox(p.Cases[0], new[] { 0.6, -0.5, -0.5, 0.45, -0.5 }, new[] { 0.679857769, 0.5, 0.5, 0.5, -0.45 });
        AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0, 0, 0, 0, 0 } }, new[] { -3.991125645861615 });
    }

    [Test]
    public void AcasXuProperty6HasTwoInputBoxesEachWithTheFourOutputDisjuncts()
    {
        var p = VnnlibReader.Load(Benchmark("acasxu", "prop_6.vnnlib"), 5, 5);
        AssertBox(p.Cases[0], new[] { -0.129289109, 0.11140846, -0.499999896, -0.5, -0.5 }, new[] { 0.700434925, 0.499999896, -0.499204121, 0.5, 0.5 });
        AssertBox(p.Cases[1], new[] { -0.129289109, -0.499999896, -0.499999896, -0.5, -0.5 }, new[] { 0.700434925, -0.11140846, -0.499204121, 0.5, 0.5 });
        foreach (var c in p.Cases)
            for (int k = 0; k < 4; k++)
            {
                // (<= Y_(k+1) Y_0)  →  Y_(k+1) - Y_0 <= 0
                var row = new double[5];
                row[0] = -1;
                row[k + 1] = 1;
                AssertConjunction(c.Disjuncts[k], new[] { row }, new[] { 0.0 });
            }
    }

    [TestCase("test_nano.onnx", "test_nano.vnnlib", 1, 1, "1")]
    [TestCase("test_tiny.onnx", "test_tiny.vnnlib", 1, 1, "1")]
    [TestCase("test_small.onnx", "test_small.vnnlib", 1, 1, "1")]
    [TestCase("test_sat.onnx", "test_prop.vnnlib", 5, 5, "4")]
    [TestCase("test_unsat.onnx", "test_prop.vnnlib", 5, 5, "4")]
    public void EveryTestBenchmarkInstanceIsRead(string onnx, string vnnlib, int inputs, int outputs, string shape)
    {
        var instances = File.ReadAllLines(Benchmark("test", "test_instances.csv"));
        Assert.That(instances, Has.Some.StartsWith($"{onnx},{vnnlib},"));
        var p = VnnlibReader.Load(Benchmark("test", vnnlib), inputs, outputs);
        Assert.That(Shape(p), Is.EqualTo(shape));
    }

    [Test]
    public void TheTestBenchmarkPropertiesHaveTheirExactBoxesAndRows()
    {
        var nano = VnnlibReader.Load(Benchmark("test", "test_nano.vnnlib"), 1, 1);
        AssertBox(nano.Cases[0], new[] { -1.0 }, new[] { 1.0 });
        AssertConjunction(nano.Cases[0].Disjuncts[0], new[] { new[] { 1.0 } }, new[] { -1.0 });
        foreach (var name in new[] { "test_tiny.vnnlib", "test_small.vnnlib" })
        {
            var p = VnnlibReader.Load(Benchmark("test", name), 1, 1);
            AssertBox(p.Cases[0], new[] { -1.0 }, new[] { 1.0 });
            AssertConjunction(p.Cases[0].Disjuncts[0], new[] { new[] { -1.0 } }, new[] { -100.0 });
        }
        var prop = VnnlibReader.Load(Benchmark("test", "test_prop.vnnlib"), 5, 5);
        AssertBox(prop.Cases[0], new[] { -0.30353115613746867, -0.009549296585513092, 0.4933803235848431, 0.3, 0.3 },
            new[] { -0.29855281193475053, 0.009549296585513092, 0.49999999998567607, 0.5, 0.5 });
        AssertConjunction(prop.Cases[0].Disjuncts[0],
            new[] { new[] { 1.0, -1, 0, 0, 0 }, new[] { 1.0, 0, -1, 0, 0 }, new[] { 1.0, 0, 0, -1, 0 }, new[] { 1.0, 0, 0, 0, -1 } },
            new[] { 0.0, 0, 0, 0 });
    }

    [Test]
    public void MnistfcAndAcasXuPropertiesAreReadInMilliseconds()
    {
        var mnist = File.ReadAllText(Benchmark("mnistfc", "prop_0_0.03.vnnlib"));
        var acas = File.ReadAllText(Benchmark("acasxu", "prop_6.vnnlib"));
        double Median(string text, int inputs, int outputs)
        {
            for (int run = 0; run < 20; run++) VnnlibReader.Parse(text, "t", inputs, outputs);
            var times = new List<double>();
            for (int run = 0; run < 11; run++)
            {
                var watch = Stopwatch.StartNew();
                VnnlibReader.Parse(text, "t", inputs, outputs);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }
        double mnistMs = Median(mnist, 784, 10), acasMs = Median(acas, 5, 5);
        TestContext.Out.WriteLine($"median parse time: mnistfc prop_0_0.03 {mnistMs:F2} ms, acasxu prop_6 {acasMs:F2} ms");
        // The target is 20 ms after warm-up; the bound leaves room for a loaded test machine.
        Assert.That(mnistMs, Is.LessThan(50));
        Assert.That(acasMs, Is.LessThan(50));
    }
}
