using Verify.Bounds;
using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// Exact mixed-integer encoding of a piecewise-linear network (every linear operator through its explicit matrix,
/// ReLU and LeakyReLU by big-M with one binary per unstable neuron, the big-M constants from sound CROWN bounds),
/// solved with SCIP through OR-Tools: the ground truth for small networks.
/// </summary>
public static class MipEncoding
{
    /// <summary>Minimum of c·y + offset over the box (y the flattened output), solved to zero gap within a time limit.</summary>
    public static MipResult Minimize(ComputationGraph graph, double[] lower, double[] upper, double[] c, double offset,
        double timeLimitSeconds = 60)
    {
        using var scope = torch.NewDisposeScope();
        var g = graph.To(CPU, ScalarType.Float64);
        var bounds = CrownBounds(g, new[] { lower }, new[] { upper });
        using var model = new LinearModel("SCIP");
        var encoder = new NetworkEncoder(model, g, lower, upper, bounds, 0, BigMActivation.Instance, NodeBoundArrays.DefaultSlack);
        model.SetObjective(encoder.Columns(g.OutputIndex), c, offset);
        var reply = ScipSettings.SolveWithRetry(model, timeLimitSeconds);
        return MipResult.From(reply, encoder.Columns(0));
    }

    /// <summary>Sound CROWN intermediate bounds of a float64 graph over a batch of boxes (one row per box).</summary>
    internal static IntervalBounds[] CrownBounds(ComputationGraph g, double[][] lower, double[][] upper)
    {
        Tensor Stack(double[][] rows) => torch.tensor(rows.SelectMany(r => r).ToArray(), dtype: ScalarType.Float64)
            .reshape(rows.Length, g.InputSize);
        return BoundComputer.Intermediate(g, new IntervalBounds(Stack(lower), Stack(upper)), BoundOptions.Crown);
    }
}
