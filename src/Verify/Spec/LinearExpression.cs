namespace Verify.Spec;

/// <summary>A linear expression over VNNLIB variables: Σ coefficient·variable + constant.</summary>
internal sealed class LinearExpression
{
    readonly List<(VnnVariable Variable, double Coefficient)> terms = new();

    /// <summary>The constant part.</summary>
    public double Constant { get; private set; }

    /// <summary>The terms with a non-zero coefficient, in order of first appearance.</summary>
    public IEnumerable<(VnnVariable Variable, double Coefficient)> Terms => terms.Where(t => t.Coefficient != 0);

    /// <summary>True when no variable has a non-zero coefficient.</summary>
    public bool IsConstant => terms.TrueForAll(t => t.Coefficient == 0);

    /// <summary>True when the constant and every coefficient are finite.</summary>
    public bool IsFinite => double.IsFinite(Constant) && terms.TrueForAll(t => double.IsFinite(t.Coefficient));

    /// <summary>The expression c.</summary>
    public static LinearExpression Of(double constant) => new() { Constant = constant };

    /// <summary>The expression 1·v.</summary>
    public static LinearExpression Of(VnnVariable variable)
    {
        var e = new LinearExpression();
        e.terms.Add((variable, 1.0));
        return e;
    }

    /// <summary>Adds scale·other to this expression (in place) and returns it.</summary>
    public LinearExpression Add(LinearExpression other, double scale = 1.0)
    {
        Constant += scale * other.Constant;
        foreach (var (v, c) in other.terms)
        {
            int k = terms.FindIndex(t => t.Variable == v);
            if (k < 0) terms.Add((v, scale * c));
            else terms[k] = (v, terms[k].Coefficient + scale * c);
        }
        return this;
    }

    /// <summary>Multiplies this expression by a constant (in place) and returns it.</summary>
    public LinearExpression Scale(double factor)
    {
        Constant *= factor;
        for (int k = 0; k < terms.Count; k++) terms[k] = (terms[k].Variable, terms[k].Coefficient * factor);
        return this;
    }
}
