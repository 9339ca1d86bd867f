using Verify.Graph;
using Verify.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Support;

/// <summary>The exact minimum of a piecewise-linear network's c·y over a box with one pre-activation's sign fixed.</summary>
public static class SplitMip
{
    /// <summary>
    /// Minimum of c·y + offset over the box subject to sign·z &gt;= 0, z element <paramref name="element"/> of node
    /// <paramref name="node"/> (the big-M MIP of <see cref="MipEncoding"/> with that node's bound tightened).
    /// </summary>
    public static MipResult Minimize(ComputationGraph graph, double[] lower, double[] upper, double[] c, double offset,
        int node, int element, int sign)
    {
        using var scope = torch.NewDisposeScope();
        var g = graph.To(CPU, ScalarType.Float64);
        var bounds = MipEncoding.CrownBounds(g, new[] { lower }, new[] { upper });
        using var model = new LinearModel("SCIP");
        var encoder = new NetworkEncoder(model, g, lower, upper, bounds, 0, BigMActivation.Instance, NodeBoundArrays.DefaultSlack);
        encoder.Tighten(node, element, sign > 0 ? 0 : double.NegativeInfinity, sign > 0 ? double.PositiveInfinity : 0);
        model.SetObjective(encoder.Columns(g.OutputIndex), c, offset);
        return MipResult.From(ScipSettings.SolveWithRetry(model, 30), encoder.Columns(0));
    }
}
