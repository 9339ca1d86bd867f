using NUnit.Framework;
using Verify.Spec;

namespace Verify.Tests.Spec;

public class SExpressionReaderTests
{
    [Test]
    public void AtomsAndNestedListsCarryTheirOneBasedLineAndColumn()
    {
        var forms = SExpressionReader.Parse("(a (b 12)\n  c)  d", "f");
        Assert.That(forms, Has.Count.EqualTo(2));
        var list = (SList)forms[0];
        Assert.That((list.Line, list.Column, list.Count, list.Head), Is.EqualTo((1, 1, 3, "a")));
        var inner = (SList)list.Items[1];
        Assert.That((inner.Line, inner.Column), Is.EqualTo((1, 4)));
        Assert.That((inner.Items[1].Line, inner.Items[1].Column, ((SAtom)inner.Items[1]).Text), Is.EqualTo((1, 7, "12")));
        Assert.That((list.Items[2].Line, list.Items[2].Column), Is.EqualTo((2, 3)));
        Assert.That((forms[1].Line, forms[1].Column, forms[1].ToString()), Is.EqualTo((2, 7, "d")));
        Assert.That(list.ToString(), Is.EqualTo("(a (b 12) c)"));
    }

    [Test]
    public void CommentsTabsAndLineEndingsOfEveryKindAreSkipped()
    {
        var text = "; header ( not a list\r\n(x\t; comment ) here\r\n\ty)\r(z)\n;last";
        var forms = SExpressionReader.Parse(text, "f");
        Assert.That(forms.Select(f => f.ToString()), Is.EqualTo(new[] { "(x y)", "(z)" }));
        var x = (SList)forms[0];
        Assert.That((x.Line, x.Column), Is.EqualTo((2, 1)));
        Assert.That((x.Items[1].Line, x.Items[1].Column), Is.EqualTo((3, 2)), "a tab counts as one column");
        Assert.That((forms[1].Line, forms[1].Column), Is.EqualTo((4, 1)), "a lone CR ends a line");
    }

    [Test]
    public void AListMaySpanManyLines()
    {
        var forms = SExpressionReader.Parse("(assert (or\n    (and (<= Y_0 Y_1))\n    (and (<= Y_2 Y_1))\n))\n", "f");
        Assert.That(forms, Has.Count.EqualTo(1));
        var or = (SList)((SList)forms[0]).Items[1];
        Assert.That(or.Count, Is.EqualTo(3));
        Assert.That((or.Items[2].Line, or.Items[2].Column), Is.EqualTo((3, 5)));
    }

    [Test]
    public void EmptyTextAndCommentsOnlyGiveNoExpressions()
    {
        Assert.That(SExpressionReader.Parse("", "f"), Is.Empty);
        Assert.That(SExpressionReader.Parse("  ; only a comment\n\t\n", "f"), Is.Empty);
    }

    [Test]
    public void AnUnclosedListIsReportedWhereItWasOpened()
    {
        var e = Assert.Throws<VerifyException>(() => SExpressionReader.Parse("(declare-const X_0 Real)\n(assert (>= X_0 0.5)\n", "broken.vnnlib"));
        Assert.That(e!.Message, Is.EqualTo("broken.vnnlib:2:1: expected ')' to close the list opened at 2:1, found end of file"));
    }

    [Test]
    public void TheInnermostUnclosedListIsReported()
    {
        var e = Assert.Throws<VerifyException>(() => SExpressionReader.Parse("(a\n  (b (c)\n", "f.vnnlib"));
        Assert.That(e!.Message, Is.EqualTo("f.vnnlib:2:3: expected ')' to close the list opened at 2:3, found end of file"));
    }

    [Test]
    public void AClosingParenthesisWithoutAnOpenListIsReportedWhereItStands()
    {
        var e = Assert.Throws<VerifyException>(() => SExpressionReader.Parse("(declare-const X_0 Real))\n", "f.vnnlib"));
        Assert.That(e!.Message, Is.EqualTo("f.vnnlib:1:25: unexpected ')': there is no open list to close"));
    }
}
