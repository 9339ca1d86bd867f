namespace Verify.Solvers;

/// <summary>
/// How a <see cref="NetworkEncoder"/> encodes one unstable neuron y = max(z, slope·z) (0 &lt;= slope &lt; 1,
/// l &lt; 0 &lt; u): exactly with a binary (MIP) or by its convex hull (LP). Stable neurons are always exact.
/// </summary>
internal interface IActivationEncoding
{
    /// <summary>Adds the neuron's output column and constraints for the pre-activation column <paramref name="z"/>
    /// with (already loosened) bounds l &lt; 0 &lt; u, and returns the output column and the neuron's binary column
    /// (-1 when it has none).</summary>
    (int Output, int Binary) EncodeUnstable(LinearModel model, int z, double l, double u, double slope);

    /// <summary>Whether the encoding is exact (integer selectors), so other nonlinear nodes encoded with it are exact too.</summary>
    bool Exact { get; }
}
