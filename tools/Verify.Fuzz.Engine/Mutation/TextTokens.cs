using System.Text.RegularExpressions;

namespace Verify.Fuzz.Mutation;

/// <summary>Where the tokens of a VNNLIB text are: boundaries between tokens and parentheses, numbers, variables.</summary>
public static partial class TextTokens
{
    /// <summary>Every offset where a token or parenthesis starts or ends (0 and the length included).</summary>
    public static List<int> Boundaries(string text)
    {
        var result = new List<int> { 0 };
        for (int i = 1; i < text.Length; i++)
            if (IsDelimiter(text[i]) != IsDelimiter(text[i - 1]) || text[i] is '(' or ')' || text[i - 1] is '(' or ')')
                result.Add(i);
        result.Add(text.Length);
        return result;
    }

    /// <summary>The numeric literals of the text.</summary>
    public static IReadOnlyList<Match> Numbers(string text) => NumberPattern().Matches(text);

    /// <summary>The variable names X_i and Y_j of the text, their index in group 2.</summary>
    public static IReadOnlyList<Match> Variables(string text) => VariablePattern().Matches(text);

    /// <summary>The atoms of the text (runs of characters other than whitespace and parentheses).</summary>
    public static IReadOnlyList<Match> Atoms(string text) => AtomPattern().Matches(text);

    /// <summary>The text with <paramref name="m"/> replaced by <paramref name="replacement"/>.</summary>
    public static string Replace(string text, Capture m, string replacement) =>
        string.Concat(text.AsSpan(0, m.Index), replacement, text.AsSpan(m.Index + m.Length));

    static bool IsDelimiter(char c) => char.IsWhiteSpace(c) || c is '(' or ')' or ';';

    [GeneratedRegex(@"(?<=[\s(])[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?=[\s)])")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\b([XY])_(\d+)\b")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"[^\s()]+")]
    private static partial Regex AtomPattern();
}
