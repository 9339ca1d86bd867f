namespace Verify.Solvers;

/// <summary>
/// The convex hull ("triangle", planet relaxation) of an unstable ReLU/LeakyReLU neuron on [l, u]:
/// y &gt;= z, y &gt;= slope·z and y below the chord from (l, slope·l) to (u, u).
/// </summary>
internal sealed class TriangleActivation : IActivationEncoding
{
    /// <summary>The encoding (stateless).</summary>
    public static TriangleActivation Instance { get; } = new();

    /// <inheritdoc />
    public bool Exact => false;

    /// <inheritdoc />
    public (int Output, int Binary) EncodeUnstable(LinearModel model, int z, double l, double u, double slope)
    {
        int y = model.AddColumn(slope == 0 ? 0 : slope * l, u);
        model.AddRow(0, double.PositiveInfinity, new[] { y, z }, new[] { 1.0, -1.0 });
        if (slope != 0) model.AddRow(0, double.PositiveInfinity, new[] { y, z }, new[] { 1.0, -slope });
        if (double.IsFinite(l) && double.IsFinite(u))
        {
            // y <= slope·l + k·(z - l), k the chord's slope.
            double k = (u - slope * l) / (u - l);
            model.AddRow(double.NegativeInfinity, slope * l - k * l, new[] { y, z }, new[] { 1.0, -k });
        }
        return (y, -1);
    }
}
