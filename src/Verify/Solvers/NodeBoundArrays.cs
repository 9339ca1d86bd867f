using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>Bounds of one batch entry as flat float64 arrays per node, the form the solver encodings read.</summary>
internal static class NodeBoundArrays
{
    /// <summary>Slack by which solver encodings widen bounds by default (relative, see <see cref="Loosen"/>).</summary>
    public const double DefaultSlack = 1e-7;

    /// <summary>Lower and upper bounds of batch entry <paramref name="batchIndex"/> of nodes 0..<paramref name="lastNode"/>, flattened.</summary>
    public static (double[][] Lower, double[][] Upper) From(IReadOnlyList<IntervalBounds> bounds, int batchIndex, int lastNode)
    {
        using var scope = torch.NewDisposeScope();
        var lower = new double[lastNode + 1][];
        var upper = new double[lastNode + 1][];
        for (int i = 0; i <= lastNode; i++)
        {
            lower[i] = Flat(bounds[i].Lower, batchIndex);
            upper[i] = Flat(bounds[i].Upper, batchIndex);
        }
        return (lower, upper);
    }

    /// <summary>
    /// Widens a bound by a hair (<paramref name="direction"/> -1 for a lower, +1 for an upper bound) so that
    /// floating-point rounding in the bound computation or the solver can never cut off feasible points.
    /// </summary>
    public static double Loosen(double x, int direction, double slack) => x + direction * slack * (1 + Math.Abs(x));

    /// <summary>Batch entry <paramref name="batchIndex"/> of a tensor, flattened to float64.</summary>
    public static double[] Flat(Tensor t, int batchIndex) => t[batchIndex].reshape(-1).to(ScalarType.Float64, CPU).data<double>().ToArray();
}
