namespace Verify.Spec;

/// <summary>
/// Reads the S-expressions of a text: atoms (any run of characters other than whitespace, parentheses and ';') and
/// parenthesised lists, which may span lines. A ';' starts a comment that runs to the end of the line; spaces, tabs,
/// CR, LF and CR LF separate atoms. Every node records its 1-based line and column.
/// </summary>
public static class SExpressionReader
{
    /// <summary>The deepest nesting of lists accepted (the formula code that reads the lists is recursive).</summary>
    public const int MaxDepth = 1000;

    /// <summary>
    /// The top-level expressions of <paramref name="text"/>, in order. Throws a <see cref="VerifyException"/>
    /// "source:line:column: ..." on an unbalanced parenthesis or lists nested deeper than <see cref="MaxDepth"/>.
    /// </summary>
    /// <param name="text">The text to read.</param>
    /// <param name="source">The file name used in positions and messages.</param>
    public static IReadOnlyList<SExpression> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var top = new List<SExpression>();
        var open = new Stack<OpenList>();
        int i = 0, line = 1, column = 1;
        while (i < text.Length)
        {
            char ch = text[i];
            switch (ch)
            {
                case '\n':
                    i++; line++; column = 1;
                    break;
                case '\r':
                    i++; line++; column = 1;
                    if (i < text.Length && text[i] == '\n') i++;
                    break;
                case ';':
                    while (i < text.Length && text[i] != '\n' && text[i] != '\r') i++;
                    break;
                case '(':
                    if (open.Count == MaxDepth)
                        throw new VerifyException($"{source}:{line}:{column}: this list is nested more than {MaxDepth} deep");
                    open.Push(new OpenList(line, column));
                    i++; column++;
                    break;
                case ')':
                    if (open.Count == 0)
                        throw new VerifyException($"{source}:{line}:{column}: unexpected ')': there is no open list to close");
                    var done = open.Pop();
                    var list = new SList(done.Items, source, done.Line, done.Column);
                    (open.Count > 0 ? open.Peek().Items : top).Add(list);
                    i++; column++;
                    break;
                default:
                    if (IsSpace(ch))
                    {
                        i++; column++;
                        break;
                    }
                    int start = i;
                    while (i < text.Length && !IsDelimiter(text[i])) i++;
                    var atom = new SAtom(text.Substring(start, i - start), source, line, column);
                    (open.Count > 0 ? open.Peek().Items : top).Add(atom);
                    column += i - start;
                    break;
            }
        }
        if (open.Count > 0)
        {
            var unclosed = open.Peek();
            throw new VerifyException(
                $"{source}:{unclosed.Line}:{unclosed.Column}: expected ')' to close the list opened at {unclosed.Line}:{unclosed.Column}, found end of file");
        }
        return top;
    }

    static bool IsSpace(char ch) => ch is ' ' or '\t' or '\n' or '\r' or '\f' or '\v' or '\uFEFF';

    static bool IsDelimiter(char ch) => ch is '(' or ')' or ';' || IsSpace(ch);

    sealed class OpenList(int line, int column)
    {
        public int Line { get; } = line;
        public int Column { get; } = column;
        public List<SExpression> Items { get; } = new();
    }
}
