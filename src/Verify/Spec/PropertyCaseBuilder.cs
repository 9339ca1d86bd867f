using System.Globalization;
using System.Runtime.CompilerServices;

namespace Verify.Spec;

/// <summary>
/// Turns the normal form of a property (literals every disjunct shares, and the disjuncts) into cases: one per
/// distinct input box, each with the output conjunctions of the disjuncts over that box. Checks that every box bounds
/// every input from both sides and is not empty.
/// </summary>
internal sealed class PropertyCaseBuilder(string source, int inputSize)
{
    /// <summary>The most input bounds (boxes times inputs) a property may hold.</summary>
    public const long MaxBoxValues = 1L << 24;

    /// <summary>The cases of the property "shared ∧ (disjunct_1 ∨ disjunct_2 ∨ ...)".</summary>
    public List<PropertyCase> Build(List<VnnLiteral> shared, List<List<VnnLiteral>> disjuncts)
    {
        var sharedBox = new BoxBuilder(inputSize);
        var sharedRows = new List<OutputAtomLiteral>();
        Split(shared, sharedBox, sharedRows);
        if ((long)disjuncts.Count * sharedRows.Count > VnnlibFormula.MaxLiterals)
            throw new VerifyException($"{source}: the property has {disjuncts.Count} disjuncts that share {sharedRows.Count} output comparisons, more than the {VnnlibFormula.MaxLiterals} comparisons supported");

        // Disjuncts whose input literals are the same objects share a box: group them without building boxes.
        var groups = new List<Group>();
        var byInputLiterals = new Dictionary<List<InputBoundLiteral>, Group>(ReferenceSequenceComparer.Instance);
        foreach (var disjunct in disjuncts)
        {
            var inputs = new List<InputBoundLiteral>();
            var rows = new List<OutputAtomLiteral>(sharedRows);
            foreach (var literal in disjunct)
                if (literal is InputBoundLiteral b) inputs.Add(b);
                else rows.Add((OutputAtomLiteral)literal);
            if (!byInputLiterals.TryGetValue(inputs, out var group))
            {
                group = new Group(inputs);
                byInputLiterals.Add(inputs, group);
                groups.Add(group);
            }
            group.Outputs.Add(new OutputConjunction(rows.Select(r => r.Row).ToArray(), rows.Select(r => r.Bound).ToArray()));
        }

        // Build and check each box, then merge groups whose boxes are equal.
        if ((long)groups.Count * inputSize > MaxBoxValues)
            throw new VerifyException($"{source}: the property has {groups.Count} input boxes of {inputSize} inputs, more than the {MaxBoxValues} bounds supported");
        var cases = new List<(InputBox Box, List<OutputConjunction> Outputs)>();
        var byBox = new Dictionary<InputBox, int>(BoxValueComparer.Instance);
        for (int g = 0; g < groups.Count; g++)
        {
            var builder = sharedBox.Copy();
            foreach (var literal in groups[g].Inputs) builder.Apply(literal);
            var which = groups.Count == 1 ? "" : $" in input box {g + 1} of {groups.Count}";
            var box = builder.ToBox(source, groups[g].Inputs.FirstOrDefault()?.At, which);
            if (byBox.TryGetValue(box, out int existing)) cases[existing].Outputs.AddRange(groups[g].Outputs);
            else
            {
                byBox.Add(box, cases.Count);
                cases.Add((box, groups[g].Outputs));
            }
        }
        return cases.Select(c => new PropertyCase(c.Box, c.Outputs)).ToList();
    }

    static void Split(List<VnnLiteral> literals, BoxBuilder box, List<OutputAtomLiteral> rows)
    {
        foreach (var literal in literals)
            if (literal is InputBoundLiteral b) box.Apply(b);
            else rows.Add((OutputAtomLiteral)literal);
    }

    sealed class Group(List<InputBoundLiteral> inputs)
    {
        public List<InputBoundLiteral> Inputs { get; } = inputs;
        public List<OutputConjunction> Outputs { get; } = new();
    }

    /// <summary>The tightest bounds seen so far for each input, with the comparison that set each.</summary>
    sealed class BoxBuilder
    {
        readonly double[] lower, upper;
        readonly SExpression?[] lowerAt, upperAt;

        public BoxBuilder(int size)
        {
            lower = new double[size];
            upper = new double[size];
            Array.Fill(lower, double.NegativeInfinity);
            Array.Fill(upper, double.PositiveInfinity);
            lowerAt = new SExpression?[size];
            upperAt = new SExpression?[size];
        }

        BoxBuilder(BoxBuilder other)
        {
            lower = (double[])other.lower.Clone();
            upper = (double[])other.upper.Clone();
            lowerAt = (SExpression?[])other.lowerAt.Clone();
            upperAt = (SExpression?[])other.upperAt.Clone();
        }

        public BoxBuilder Copy() => new(this);

        public void Apply(InputBoundLiteral b)
        {
            int i = b.Input;
            if (b.IsUpper)
            {
                if (upperAt[i] is null || b.Value < upper[i]) { upper[i] = b.Value; upperAt[i] = b.At; }
            }
            else if (lowerAt[i] is null || b.Value > lower[i]) { lower[i] = b.Value; lowerAt[i] = b.At; }
        }

        /// <summary>The box, after checking that each input has both bounds and a non-empty range.</summary>
        public InputBox ToBox(string source, SExpression? at, string which)
        {
            for (int i = 0; i < lower.Length; i++)
            {
                string name = VnnVariable.Name(false, i);
                if (lowerAt[i] is null) throw Located(source, at, $"{name} has no lower bound{which}");
                if (upperAt[i] is null) throw Located(source, at, $"{name} has no upper bound{which}");
                if (lower[i] > upper[i])
                    throw lowerAt[i]!.Error(
                        $"{name} has an empty range{which}: its lower bound {Format(lower[i])} is above its upper bound {Format(upper[i])} (set at {upperAt[i]!.Position})");
            }
            return new InputBox(lower, upper);
        }

        static VerifyException Located(string source, SExpression? at, string message) =>
            at is null ? new VerifyException($"{source}: {message}") : at.Error(message + " (the disjunct that contains this constraint)");

        static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Compares lists of literals by the identity of their elements.</summary>
    sealed class ReferenceSequenceComparer : IEqualityComparer<List<InputBoundLiteral>>
    {
        public static readonly ReferenceSequenceComparer Instance = new();

        public bool Equals(List<InputBoundLiteral>? x, List<InputBoundLiteral>? y)
        {
            if (x is null || y is null) return ReferenceEquals(x, y);
            if (x.Count != y.Count) return false;
            for (int k = 0; k < x.Count; k++)
                if (!ReferenceEquals(x[k], y[k])) return false;
            return true;
        }

        public int GetHashCode(List<InputBoundLiteral> list)
        {
            var hash = new HashCode();
            foreach (var literal in list) hash.Add(RuntimeHelpers.GetHashCode(literal));
            return hash.ToHashCode();
        }
    }

    /// <summary>Compares boxes by their bounds.</summary>
    sealed class BoxValueComparer : IEqualityComparer<InputBox>
    {
        public static readonly BoxValueComparer Instance = new();

        public bool Equals(InputBox? x, InputBox? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null &&
                x.Lower.AsSpan().SequenceEqual(y.Lower) && x.Upper.AsSpan().SequenceEqual(y.Upper));

        public int GetHashCode(InputBox box)
        {
            var hash = new HashCode();
            foreach (var v in box.Lower) hash.Add(v);
            foreach (var v in box.Upper) hash.Add(v);
            return hash.ToHashCode();
        }
    }
}
