namespace Verify.Spec;

/// <summary>
/// A conjunction of linear atoms over the outputs: C[k]·y &lt;= D[k] for every k. In a VNNLIB property it describes
/// part of the unsafe set.
/// </summary>
/// <param name="C">One coefficient row per atom, each as long as the (flattened) output.</param>
/// <param name="D">The right-hand side of each atom.</param>
public sealed record OutputConjunction(double[][] C, double[] D)
{
    /// <summary>Number of atoms.</summary>
    public int Atoms => D.Length;
}
