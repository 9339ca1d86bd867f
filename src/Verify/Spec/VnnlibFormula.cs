using System.Globalization;
using Dnf = System.Collections.Generic.List<System.Collections.Generic.List<Verify.Spec.VnnLiteral>>;

namespace Verify.Spec;

/// <summary>
/// Turns a VNNLIB formula into disjunctive normal form: a list of conjunctions of literals (input bounds and output
/// inequalities). Formulas are comparisons (&lt;=, &gt;=, &lt;, &gt;, =, chainable, strict ones read as non-strict as
/// is the convention of VNN-COMP), and, or, not; terms are numbers, variables and linear terms (+, -, *, /).
/// </summary>
/// <param name="outputSize">Number of outputs (length of output rows).</param>
/// <param name="resolve">Checks that a variable may be used at an atom (throws a located error otherwise).</param>
internal sealed class VnnlibFormula(int outputSize, Action<SAtom, VnnVariable> resolve)
{
    /// <summary>The most conjunctions a normal form may have.</summary>
    public const int MaxDisjuncts = 100_000;

    /// <summary>The most literals (summed over its conjunctions) a normal form may hold.</summary>
    public const long MaxLiterals = 10_000_000;

    /// <summary>The most output coefficients (comparisons over outputs times outputs) a property may hold.</summary>
    public const long MaxRowEntries = 1L << 25;

    long rowEntries;

    /// <summary>The normal form of a formula; each call returns fresh lists that the caller owns.</summary>
    public Dnf ToDnf(SExpression formula) => Formula(formula, negated: false);

    /// <summary>The normal form of a ∧ b (reusing the lists of a and b).</summary>
    public static Dnf And(Dnf a, Dnf b, SExpression at)
    {
        if (a.Count == 1 && b.Count == 1)
        {
            a[0].AddRange(b[0]);
            return a;
        }
        long n = (long)a.Count * b.Count;
        CheckSize(n, at);
        long literals = b.Count * a.Sum(x => (long)x.Count) + a.Count * b.Sum(y => (long)y.Count);
        if (literals > MaxLiterals)
            throw at.Error($"the property expands to {n} disjuncts holding {literals} comparisons in disjunctive normal form, more than the {MaxLiterals} supported");
        var result = new Dnf((int)n);
        foreach (var x in a)
            foreach (var y in b)
            {
                var c = new List<VnnLiteral>(x.Count + y.Count);
                c.AddRange(x);
                c.AddRange(y);
                result.Add(c);
            }
        return result;
    }

    /// <summary>The normal form of a ∨ b (reusing the lists of a and b).</summary>
    public static Dnf Or(Dnf a, Dnf b, SExpression at)
    {
        CheckSize((long)a.Count + b.Count, at);
        a.AddRange(b);
        return a;
    }

    static void CheckSize(long n, SExpression at)
    {
        if (n > MaxDisjuncts)
            throw at.Error($"the property expands to {n} disjuncts in disjunctive normal form, more than the {MaxDisjuncts} supported");
    }

    Dnf Formula(SExpression f, bool negated)
    {
        if (f is not SList list || list.Head is not string op)
            throw f.Error($"expected a formula such as (<= X_0 1), (and ...) or (or ...), found {Describe(f)}");
        switch (op)
        {
            case "and":
            case "or":
            {
                if (list.Count < 2) throw list.Error($"'{op}' needs at least one operand");
                bool conjunction = (op == "and") != negated;
                var result = Formula(list.Items[1], negated);
                for (int k = 2; k < list.Count; k++)
                {
                    var next = Formula(list.Items[k], negated);
                    result = conjunction ? And(result, next, list) : Or(result, next, list);
                }
                return result;
            }
            case "not":
                if (list.Count != 2) throw list.Error($"'not' takes exactly one operand, found {list.Count - 1}");
                return Formula(list.Items[1], !negated);
            case "<=" or ">=" or "<" or ">" or "=":
                return Comparison(list, op, negated);
            case "assert" or "declare-const":
                throw list.Error($"found ({op} ...) inside a formula: is a ')' missing before it?");
            case "+" or "-" or "*" or "/":
                throw list.Error($"expected a formula (a comparison, and, or, not), found the term {list.Abbreviated()}");
            default:
                throw list.Items[0].Error($"unknown operator '{op}': formulas use and, or, not, <=, >=, <, >, =");
        }
    }

    Dnf Comparison(SList list, string op, bool negated)
    {
        if (list.Count < 3) throw list.Error($"'{op}' needs at least two operands, found {list.Count - 1}");
        if (negated && op == "=") throw list.Error("(not (= ...)) is not supported: it is not a closed set");
        var terms = new LinearExpression[list.Count - 1];
        for (int k = 1; k < list.Count; k++) terms[k - 1] = Term(list.Items[k]);
        // a op b op c ... is the conjunction of the adjacent pairs; its negation the disjunction of the negated pairs.
        bool lessOrEqual = (op is "<=" or "<") != negated;
        var result = new Dnf { new List<VnnLiteral>() };
        for (int k = 0; k + 1 < terms.Length; k++)
        {
            var pair = new List<VnnLiteral>(2);
            // The pair as "e <= 0" with e = left - right (or right - left for >=).
            var difference = Difference(terms[k], terms[k + 1]);
            if (op == "=")
            {
                pair.Add(Literal(difference, list));
                pair.Add(Literal(Difference(terms[k + 1], terms[k]), list));
            }
            else
                pair.Add(Literal(lessOrEqual ? difference : difference.Scale(-1), list));
            if (negated)
            {
                if (k > 0) result.Add(pair);
                else result[0] = pair;
            }
            else result[0].AddRange(pair);
        }
        return result;
    }

    static LinearExpression Difference(LinearExpression a, LinearExpression b) => LinearExpression.Of(0).Add(a).Add(b, -1);

    /// <summary>The literal for "e &lt;= 0".</summary>
    VnnLiteral Literal(LinearExpression e, SList at)
    {
        if (!e.IsFinite) throw at.Error("a coefficient or constant of this comparison is not a finite number");
        var terms = e.Terms.ToList();
        if (terms.Count == 0) throw at.Error("the comparison has no variables: it does not constrain inputs or outputs");
        int inputs = terms.Count(t => !t.Variable.IsOutput);
        if (inputs > 0 && inputs < terms.Count)
            throw at.Error("the comparison mixes inputs and outputs: inputs may only be bounded by constants (a box)");
        if (inputs > 1)
            throw at.Error($"the comparison relates several inputs ({string.Join(", ", terms.Select(t => t.Variable))}): inputs may only be bounded by constants (a box)");
        if (inputs == 1)
        {
            // a·x + k <= 0  ⇔  x <= -k/a (a > 0) or x >= -k/a (a < 0).
            var (v, a) = terms[0];
            double bound = Normalize((0.0 - e.Constant) / a);
            if (!double.IsFinite(bound)) throw at.Error("the bound of this comparison is not a finite number");
            return new InputBoundLiteral(v.Index, a > 0, bound, at);
        }
        rowEntries += outputSize;
        if (rowEntries > MaxRowEntries)
            throw at.Error($"the property compares outputs more often than supported: each comparison holds {outputSize} coefficients, {MaxRowEntries} in all at most");
        var row = new double[outputSize];
        foreach (var (v, c) in terms) row[v.Index] = c;
        return new OutputAtomLiteral(row, Normalize(0.0 - e.Constant), at);
    }

    static double Normalize(double x) => x == 0 ? 0.0 : x;

    LinearExpression Term(SExpression t)
    {
        if (t is SAtom atom)
        {
            if (VnnVariable.TryParse(atom.Text, out var variable))
            {
                resolve(atom, variable);
                return LinearExpression.Of(variable);
            }
            return LinearExpression.Of(Number(atom));
        }
        var list = (SList)t;
        var op = list.Head;
        switch (op)
        {
            case "+":
            {
                NeedOperands(list, 1);
                var sum = Term(list.Items[1]);
                for (int k = 2; k < list.Count; k++) sum.Add(Term(list.Items[k]));
                return sum;
            }
            case "-":
            {
                NeedOperands(list, 1);
                var first = Term(list.Items[1]);
                if (list.Count == 2) return first.Scale(-1);
                for (int k = 2; k < list.Count; k++) first.Add(Term(list.Items[k]), -1);
                return first;
            }
            case "*":
            {
                NeedOperands(list, 1);
                var product = Term(list.Items[1]);
                for (int k = 2; k < list.Count; k++)
                {
                    var factor = Term(list.Items[k]);
                    if (factor.IsConstant) product.Scale(factor.Constant);
                    else if (product.IsConstant) product = factor.Scale(product.Constant);
                    else throw list.Error($"{list.Abbreviated()} multiplies variables: only linear terms are supported");
                }
                return product;
            }
            case "/":
            {
                NeedOperands(list, 2);
                var quotient = Term(list.Items[1]);
                for (int k = 2; k < list.Count; k++)
                {
                    var divisor = Term(list.Items[k]);
                    if (!divisor.IsConstant) throw list.Items[k].Error($"expected a number as divisor, found {Describe(list.Items[k])}");
                    if (divisor.Constant == 0) throw list.Items[k].Error("division by zero");
                    quotient.Scale(1.0 / divisor.Constant);
                }
                return quotient;
            }
            case null:
                throw list.Error($"expected a number, a variable or a term such as (+ ...), found {Describe(list)}");
            case "assert" or "declare-const":
                throw list.Error($"found ({op} ...) inside a formula: is a ')' missing before it?");
            case "and" or "or" or "not" or "<=" or ">=" or "<" or ">" or "=":
                throw list.Error($"expected a number, a variable or a term such as (+ ...), found the formula {list.Abbreviated()}");
            default:
                throw list.Items[0].Error($"unknown operator '{op}': terms use +, -, * and /");
        }
    }

    static void NeedOperands(SList list, int n)
    {
        if (list.Count - 1 < n)
            throw list.Error($"'{list.Head}' needs at least {n} operand{(n == 1 ? "" : "s")}, found {list.Count - 1}");
    }

    /// <summary>The value of a numeric atom: an integer, a decimal or scientific notation, optionally signed.</summary>
    static double Number(SAtom atom)
    {
        var text = atom.Text;
        char first = text[0];
        bool numeric = char.IsAsciiDigit(first) || first == '.' ||
            ((first == '-' || first == '+') && text.Length > 1 && (char.IsAsciiDigit(text[1]) || text[1] == '.'));
        if (!numeric)
            throw atom.Error($"expected a number or a variable X_i or Y_j, found '{text}'");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw atom.Error($"'{text}' is not a valid number");
        if (!double.IsFinite(value))
            throw atom.Error($"'{text}' is out of the range of double-precision numbers");
        return value;
    }

    static string Describe(SExpression e) => e switch
    {
        SAtom a => $"'{a.Text}'",
        SList { Count: 0 } => "an empty list ()",
        SList l => l.Abbreviated(),
        _ => e.ToString() ?? "",
    };
}
