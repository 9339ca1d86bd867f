namespace Verify.Spec;

/// <summary>
/// A node of an S-expression (an atom or a list), with the file it came from and the 1-based line and column of its
/// first character (a tab counts as one column).
/// </summary>
public abstract class SExpression
{
    private protected SExpression(string source, int line, int column)
    {
        Source = source;
        Line = line;
        Column = column;
    }

    /// <summary>The file (or other source name) the expression was read from.</summary>
    public string Source { get; }

    /// <summary>1-based line of the first character.</summary>
    public int Line { get; }

    /// <summary>1-based column of the first character.</summary>
    public int Column { get; }

    /// <summary>The position as "line:column".</summary>
    public string Position => $"{Line}:{Column}";

    /// <summary>A user error located at this expression: "source:line:column: message".</summary>
    public VerifyException Error(string message) => new($"{Source}:{Line}:{Column}: {message}");

    /// <summary>True when this expression starts before the other one in the same source.</summary>
    public bool IsBefore(SExpression other) => Line < other.Line || (Line == other.Line && Column < other.Column);

    /// <summary>The expression as text: an atom as written, a list in parentheses with its elements separated by spaces.</summary>
    public abstract override string ToString();

    /// <summary>The expression as text, shortened to at most <paramref name="maxLength"/> characters for messages.</summary>
    public string Abbreviated(int maxLength = 60)
    {
        var text = ToString();
        return text.Length <= maxLength ? text : text[..(maxLength - 3)] + "...";
    }
}

/// <summary>An atom: a symbol or a number, kept as the text it was written with.</summary>
public sealed class SAtom : SExpression
{
    /// <summary>Creates an atom read at the given position.</summary>
    public SAtom(string text, string source, int line, int column) : base(source, line, column) => Text = text;

    /// <summary>The atom's text.</summary>
    public string Text { get; }

    /// <inheritdoc/>
    public override string ToString() => Text;
}

/// <summary>A parenthesised list of expressions.</summary>
public sealed class SList : SExpression
{
    /// <summary>Creates a list whose opening parenthesis was read at the given position.</summary>
    public SList(IReadOnlyList<SExpression> items, string source, int line, int column) : base(source, line, column) => Items = items;

    /// <summary>The elements, in order.</summary>
    public IReadOnlyList<SExpression> Items { get; }

    /// <summary>Number of elements.</summary>
    public int Count => Items.Count;

    /// <summary>The text of the first element when it is an atom (the operator or command), otherwise null.</summary>
    public string? Head => Items.Count > 0 && Items[0] is SAtom a ? a.Text : null;

    /// <inheritdoc/>
    public override string ToString() => "(" + string.Join(" ", Items) + ")";
}
