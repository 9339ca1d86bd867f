using System.Text;
using Verify.Fuzz.Inputs;
using Verify.Fuzz.Seeds;

namespace Verify.Fuzz.Mutation;

/// <summary>Mutates VNNLIB seeds, one category of mutation at a time.</summary>
public sealed class VnnlibMutator
{
    /// <summary>The nesting depth of the deep-nesting category.</summary>
    public const int DeepNesting = 100_000;

    /// <summary>The categories this mutator produces.</summary>
    public static IReadOnlyList<FuzzCategory> Categories { get; } = new[]
    {
        FuzzCategory.BitFlip, FuzzCategory.Truncation, FuzzCategory.HugeDimensions, FuzzCategory.Int64Overflow,
        FuzzCategory.NonFiniteLiterals, FuzzCategory.DeepNesting, FuzzCategory.MissingInputs, FuzzCategory.DuplicateNames,
        FuzzCategory.WrongSizes, FuzzCategory.DnfExplosion, FuzzCategory.TokenSplice,
    };

    static readonly string[] HugeIndices = { "2147483647", "2147483648", "4294967296", "99999999999", "1000000", "00", "01" };
    static readonly string[] OverflowIndices = { "9223372036854775807", "9223372036854775808", "18446744073709551616", "1" + new string('0', 40) };
    static readonly string[] OverflowNumbers = { "9223372036854775808", "-9223372036854775809", "1" + new string('0', 400), "-" + new string('9', 500), "0." + new string('0', 400) + "1" };
    static readonly string[] NonFinite = { "NaN", "-NaN", "nan", "Inf", "-Inf", "inf", "Infinity", "-Infinity", "+inf", "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "-1.8e308", "1e", "1e+", ".", "-", "+.", "0x1p3", "1_000", "\u221e", "1e99999999999", "--1", "1..2", "1e-2147483649" };
    static readonly string[] Operators = { "and", "or", "not", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "assert", "declare-const", "Real", "Int", "ite", "=>", "distinct", "()", "(", ")", "", "X_0", "Y_0", "0", "-1.5" };

    readonly IReadOnlyList<VnnlibSeed> seeds;

    /// <summary>A mutator of the given seeds.</summary>
    public VnnlibMutator(IReadOnlyList<VnnlibSeed> seeds) => this.seeds = seeds;

    /// <summary>A mutated input of the given category.</summary>
    public FuzzInput Mutate(int index, FuzzCategory category, Random rng)
    {
        var seed = rng.One(seeds);
        var (text, note, inputs, outputs) = category switch
        {
            FuzzCategory.BitFlip => BitFlip(seed, rng),
            FuzzCategory.Truncation => Truncate(seed, rng),
            FuzzCategory.HugeDimensions => ReplaceIndex(seed, rng, HugeIndices),
            FuzzCategory.Int64Overflow => rng.Chance(0.5) ? ReplaceIndex(seed, rng, OverflowIndices) : ReplaceNumber(seed, rng, OverflowNumbers),
            FuzzCategory.NonFiniteLiterals => ReplaceNumber(seed, rng, NonFinite),
            FuzzCategory.DeepNesting => Deep(seed, rng),
            FuzzCategory.MissingInputs => Missing(seed, rng),
            FuzzCategory.DuplicateNames => Duplicate(seed, rng),
            FuzzCategory.WrongSizes => WrongSizes(seed, rng),
            FuzzCategory.DnfExplosion => Explode(seed, rng),
            FuzzCategory.TokenSplice => Splice(seed, rng),
            _ => throw new ArgumentOutOfRangeException(nameof(category), category, "not a VNNLIB mutation"),
        };
        return new FuzzInput(FuzzTarget.Vnnlib, index, category, seed.Name, Encoding.UTF8.GetBytes(text), note, inputs, outputs);
    }

    static (string, string, int, int) Same(VnnlibSeed s, string text, string note) => (text, note, s.InputSize, s.OutputSize);

    static (string, string, int, int) BitFlip(VnnlibSeed s, Random rng)
    {
        var bytes = Encoding.UTF8.GetBytes(s.Text);
        int flips = 1 + rng.Next(8);
        var at = new List<string>();
        for (int k = 0; k < flips; k++)
        {
            int i = rng.Next(bytes.Length), bit = rng.Next(8);
            bytes[i] ^= (byte)(1 << bit);
            at.Add($"{i}.{bit}");
        }
        return Same(s, Encoding.UTF8.GetString(bytes), $"flipped bits {string.Join(",", at)}");
    }

    static (string, string, int, int) Truncate(VnnlibSeed s, Random rng)
    {
        var boundaries = TextTokens.Boundaries(s.Text);
        int at = rng.One(boundaries) + (rng.Chance(0.2) ? rng.Next(-1, 2) : 0);
        at = Math.Clamp(at, 0, s.Text.Length);
        return Same(s, s.Text[..at], $"cut at {at} of {s.Text.Length}");
    }

    static (string, string, int, int) ReplaceIndex(VnnlibSeed s, Random rng, string[] values)
    {
        var vars = TextTokens.Variables(s.Text);
        var v = rng.One(vars);
        var value = rng.Chance(0.2) ? (v.Groups[1].Value == "X" ? s.InputSize : s.OutputSize).ToString() : rng.One(values);
        if (rng.Chance(0.2)) value = "-" + value;
        return Same(s, TextTokens.Replace(s.Text, v.Groups[2], value), $"{v.Value} at {v.Index} -> index {value}");
    }

    static (string, string, int, int) ReplaceNumber(VnnlibSeed s, Random rng, string[] values)
    {
        var text = s.Text;
        var numbers = TextTokens.Numbers(text);
        var m = rng.One(numbers);
        var value = rng.One(values);
        return Same(s, TextTokens.Replace(text, m, value), $"number {m.Value} at {m.Index} -> {value}");
    }

    static (string, string, int, int) Deep(VnnlibSeed s, Random rng)
    {
        int depth = rng.One(new[] { DeepNesting, DeepNesting, DeepNesting, 20_000, 1_001, 999 });
        string Repeat(string unit) => new StringBuilder(unit.Length * depth).Insert(0, unit, depth).ToString();
        int form = rng.Next(9);
        string added = form switch
        {
            0 => Repeat("("),
            1 => Repeat("(") + Repeat(")"),
            2 => Repeat(")"),
            3 => "(assert " + Repeat("(not ") + "(<= Y_0 1)" + Repeat(")") + ")",
            4 => "(assert " + Repeat("(and ") + "(<= Y_0 1)" + Repeat(")") + ")",
            5 => "(assert " + Repeat("(or ") + "(>= X_0 -1)" + Repeat(")") + ")",
            6 => "(assert (<= " + Repeat("(+ ") + "Y_0" + Repeat(")") + " 1))",
            7 => "(assert (<= Y_0 " + Repeat("(- ") + "1" + Repeat(")") + "))",
            _ => "(assert (or " + string.Concat(Enumerable.Range(0, depth).Select(k => $"(<= Y_0 {k})")) + "))",
        };
        var text = rng.Chance(0.5) ? s.Text + "\n" + added : added + "\n" + s.Text;
        return Same(s, text, $"nesting form {form}, depth {depth}");
    }

    static (string, string, int, int) Missing(VnnlibSeed s, Random rng)
    {
        var lines = s.Text.Split('\n').ToList();
        var declarations = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains("declare-const")).ToList();
        switch (rng.Next(4))
        {
            case 0 when declarations.Count > 0:
            {
                int i = rng.One(declarations);
                var removed = lines[i];
                lines.RemoveAt(i);
                return Same(s, string.Join('\n', lines), $"removed line {i}: {removed.Trim()}");
            }
            case 1:
                return Same(s, string.Join('\n', lines.Where(l => !l.Contains("declare-const Y_"))), "removed every output declaration");
            case 2:
            {
                var vars = TextTokens.Variables(s.Text).Where(m => !s.Text[..m.Index].EndsWith("declare-const ", StringComparison.Ordinal)).ToList();
                if (vars.Count == 0) goto default;
                var v = rng.One(vars);
                var name = v.Groups[1].Value == "X" ? "Y" : "X";
                return Same(s, TextTokens.Replace(s.Text, v, $"{name}_{rng.Next(1, 2000)}"), $"renamed {v.Value} at {v.Index} to an undeclared variable");
            }
            default:
                return Same(s, string.Join('\n', lines.Where(l => !l.Contains("assert"))), "removed every assert");
        }
    }

    static (string, string, int, int) Duplicate(VnnlibSeed s, Random rng)
    {
        var lines = s.Text.Split('\n').ToList();
        var declarations = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains("declare-const")).ToList();
        if (declarations.Count == 0) return Same(s, s.Text + "\n" + s.Text, "text twice");
        int d = rng.One(declarations);
        if (rng.Chance(0.5))
        {
            lines.Insert(rng.Next(lines.Count + 1), lines[d]);
            return Same(s, string.Join('\n', lines), $"line {d} twice");
        }
        // Move a declaration to the end: its uses now come before it.
        var moved = lines[d];
        lines.RemoveAt(d);
        lines.Add(moved);
        return Same(s, string.Join('\n', lines), $"line {d} moved to the end");
    }

    static (string, string, int, int) WrongSizes(VnnlibSeed s, Random rng)
    {
        int[] Sizes(int n) => new[] { 0, 1, Math.Max(0, n - 1), n + 1, 2 * n, 100_000, int.MaxValue };
        int inputs = s.InputSize, outputs = s.OutputSize;
        if (rng.Chance(0.6)) inputs = rng.One(Sizes(inputs));
        else outputs = rng.One(Sizes(outputs));
        return (s.Text, $"read with {inputs} inputs and {outputs} outputs", inputs, outputs);
    }

    static (string, string, int, int) Explode(VnnlibSeed s, Random rng)
    {
        var sb = new StringBuilder(s.Text).Append('\n');
        switch (rng.Next(4))
        {
            case 0:
            {
                int k = rng.Next(10, 41);
                sb.Append("(assert (and");
                for (int i = 0; i < k; i++) sb.Append(" (or (<= Y_0 ").Append(i).Append(") (>= Y_0 ").Append(i).Append("))");
                sb.Append("))\n");
                return Same(s, sb.ToString(), $"and of {k} binary ors");
            }
            case 1:
            {
                // Many input boxes: each disjunct narrows X_0 differently.
                int n = rng.One(new[] { 50_000, 99_999 });
                sb.Append("(assert (or");
                for (int i = 0; i < n; i++) sb.Append(" (and (>= X_0 -").Append(i + 1).Append(") (<= X_0 ").Append(i + 1).Append("))");
                sb.Append("))\n");
                return Same(s, sb.ToString(), $"{n} input boxes");
            }
            case 2:
            {
                // Few disjuncts, but each a long conjunction: the product holds many literals.
                int k = rng.Next(14, 17), length = 200;
                string Conjunction(int sign)
                {
                    var c = new StringBuilder("(and");
                    for (int i = 0; i < length; i++) c.Append(sign > 0 ? " (<= Y_0 " : " (>= Y_0 -").Append(i).Append(')');
                    return c.Append(')').ToString();
                }
                sb.Append("(assert (and");
                for (int i = 0; i < k; i++) sb.Append(" (or ").Append(Conjunction(1)).Append(' ').Append(Conjunction(-1)).Append(')');
                sb.Append("))\n");
                return Same(s, sb.ToString(), $"and of {k} ors of two {length}-literal conjunctions");
            }
            default:
            {
                // Very many outputs and very many output comparisons.
                int outputs = 20_000;
                var t = new StringBuilder(BoxSpec.Text(1, outputs));
                for (int j = 0; j < outputs; j++) t.Append("(assert (<= Y_").Append(j).Append(" Y_").Append((j + 1) % outputs).Append("))\n");
                return (t.ToString(), $"{outputs} outputs, {outputs} comparisons", 1, outputs);
            }
        }
    }

    static (string, string, int, int) Splice(VnnlibSeed s, Random rng)
    {
        var atoms = TextTokens.Atoms(s.Text);
        var boundaries = TextTokens.Boundaries(s.Text);
        var text = s.Text;
        switch (rng.Next(5))
        {
            case 0:
            {
                var a = rng.One(atoms);
                return Same(s, TextTokens.Replace(text, a, ""), $"deleted '{a.Value}' at {a.Index}");
            }
            case 1:
            {
                var a = rng.One(atoms);
                var op = rng.One(Operators);
                return Same(s, TextTokens.Replace(text, a, op), $"'{a.Value}' at {a.Index} -> '{op}'");
            }
            case 2:
            {
                int at = rng.One(boundaries);
                var op = rng.One(Operators);
                return Same(s, text.Insert(at, " " + op + " "), $"inserted '{op}' at {at}");
            }
            case 3:
            {
                var a = rng.One(atoms);
                var b = rng.One(atoms);
                if (a.Index > b.Index) (a, b) = (b, a);
                if (a.Index + a.Length > b.Index) return Same(s, text.Insert(a.Index, a.Value + " "), $"'{a.Value}' at {a.Index} twice");
                var swapped = text[..a.Index] + b.Value + text[(a.Index + a.Length)..b.Index] + a.Value + text[(b.Index + b.Length)..];
                return Same(s, swapped, $"swapped '{a.Value}' at {a.Index} and '{b.Value}' at {b.Index}");
            }
            default:
            {
                int at = rng.One(boundaries);
                var c = rng.One(new[] { "(", ")", "()", ";", "\0", "\r", "\u00a0", "\ufeff", "\"", "|" });
                return Same(s, text.Insert(at, c), $"inserted {(int)c[0]:x4} at {at}");
            }
        }
    }
}
