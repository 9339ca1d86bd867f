using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>Interval bound propagation (IBP) through a whole graph.</summary>
public static class IntervalPass
{
    /// <summary>
    /// Bounds of every node up to the output, given the input box. Where <paramref name="tighter"/> holds a sound
    /// bound for a node, the result is intersected with it before it propagates further.
    /// </summary>
    public static IntervalBounds[] Run(ComputationGraph graph, IntervalBounds input, IReadOnlyList<IntervalBounds?>? tighter = null)
    {
        var bounds = new IntervalBounds[graph.Nodes.Count];
        bounds[0] = new IntervalBounds(
            input.Lower.reshape(ComputationGraph.Batched(input.Lower.shape[0], graph.InputShape)),
            input.Upper.reshape(ComputationGraph.Batched(input.Upper.shape[0], graph.InputShape)));
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            var n = graph.Nodes[i];
            var b = n.Op.Interval(n.Inputs.Select(j => bounds[j]).ToArray());
            if (tighter is not null && tighter[i] is { } t) b = b.Intersect(t);
            bounds[i] = b;
        }
        return bounds;
    }
}
