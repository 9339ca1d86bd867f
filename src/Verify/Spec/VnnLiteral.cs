namespace Verify.Spec;

/// <summary>One atom of a VNNLIB formula in normal form: a bound on one input, or a linear inequality over outputs.</summary>
/// <param name="at">The comparison it was read from.</param>
internal abstract class VnnLiteral(SExpression at)
{
    /// <summary>The comparison it was read from.</summary>
    public SExpression At { get; } = at;
}

/// <summary>X_Input &lt;= Value (upper bound) or X_Input &gt;= Value (lower bound).</summary>
internal sealed class InputBoundLiteral(int input, bool isUpper, double value, SExpression at) : VnnLiteral(at)
{
    /// <summary>The input index.</summary>
    public int Input { get; } = input;

    /// <summary>True for an upper bound, false for a lower bound.</summary>
    public bool IsUpper { get; } = isUpper;

    /// <summary>The bound.</summary>
    public double Value { get; } = value;
}

/// <summary>Row·y &lt;= Bound over the outputs y.</summary>
internal sealed class OutputAtomLiteral(double[] row, double bound, SExpression at) : VnnLiteral(at)
{
    /// <summary>One coefficient per output.</summary>
    public double[] Row { get; } = row;

    /// <summary>The right-hand side.</summary>
    public double Bound { get; } = bound;
}
