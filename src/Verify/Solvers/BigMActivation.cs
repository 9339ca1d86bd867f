namespace Verify.Solvers;

/// <summary>
/// Exact big-M encoding of an unstable ReLU/LeakyReLU neuron with one binary (d = 1: active, d = 0: inactive). With d
/// relaxed to [0, 1] it is the triangle relaxation, so making d continuous relaxes just this neuron.
/// </summary>
internal sealed class BigMActivation : IActivationEncoding
{
    /// <summary>The encoding (stateless).</summary>
    public static BigMActivation Instance { get; } = new();

    /// <inheritdoc />
    public bool Exact => true;

    /// <inheritdoc />
    public (int Output, int Binary) EncodeUnstable(LinearModel model, int z, double l, double u, double slope)
    {
        if (!double.IsFinite(l) || !double.IsFinite(u))
            throw new VerifyException("the big-M encoding needs finite bounds of every unstable neuron");
        int y = model.AddColumn(slope * l, u);
        int d = model.AddColumn(0, 1, integer: true);
        // y >= z, y >= slope·z; d = 1 forces y <= z, d = 0 forces y <= slope·z.
        model.AddRow(0, double.PositiveInfinity, new[] { y, z }, new[] { 1.0, -1.0 });
        if (slope != 0) model.AddRow(0, double.PositiveInfinity, new[] { y, z }, new[] { 1.0, -slope });
        model.AddRow(double.NegativeInfinity, -(1 - slope) * l, new[] { y, z, d }, new[] { 1.0, -1.0, -(1 - slope) * l });
        model.AddRow(double.NegativeInfinity, 0, new[] { y, z, d }, new[] { 1.0, -slope, -(1 - slope) * u });
        return (y, d);
    }
}
