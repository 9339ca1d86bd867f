using Verify.Graph;
using Verify.Operators;

namespace Verify.Bounds;

/// <summary>Multiply-accumulate estimates of bound passes, to choose between methods before running one.</summary>
public static class PassCost
{
    /// <summary>Multiply-accumulates of one forward evaluation of node <paramref name="i"/> for one sample.</summary>
    public static long NodeMacs(ComputationGraph graph, int i)
    {
        var n = graph.Nodes[i];
        return n.Op switch
        {
            Linear l => l.Weight.numel() * (n.Numel / Math.Max(1, l.Weight.shape[0])),
            Conv c => c.Weight.numel() * (n.Numel / Math.Max(1, c.Weight.shape[0])),
            LeftLinear m => m.Weight.numel() * (n.Numel / Math.Max(1, m.Weight.shape[0])),
            _ => n.Numel,
        };
    }

    /// <summary>
    /// Worst case of backward CROWN intermediate bounds per box: every neuron feeding a relaxation is bounded by a
    /// backward pass through everything before it.
    /// </summary>
    public static double CrownIntermediateMacs(ComputationGraph graph)
    {
        double total = 0, prefix = 0;
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            if (graph.Consumers[i].Any(c => graph.Nodes[c].Op.NeedsInputBounds)) total += graph.Nodes[i].Numel * prefix;
            prefix += NodeMacs(graph, i);
        }
        return total;
    }

    /// <summary>Forward linear bounds per box: two linear functions of the inputs (and a constant) through every node.</summary>
    public static double ForwardLinearMacs(ComputationGraph graph)
    {
        double total = 0;
        for (int i = 1; i <= graph.OutputIndex; i++) total += NodeMacs(graph, i);
        return 2.0 * (graph.InputSize + 1) * total;
    }

    /// <summary>
    /// Peak bytes per box of the forward linear functions alive at once (a node's are freed after its last consumer),
    /// plus every node's concrete bounds.
    /// </summary>
    public static double ForwardLinearBytes(ComputationGraph graph, int elementBytes)
    {
        double live = 0, peak = 0;
        var last = Enumerable.Range(0, graph.Nodes.Count)
            .Select(j => graph.Consumers[j].Length == 0 ? graph.OutputIndex : graph.Consumers[j].Max()).ToArray();
        live += graph.Nodes[0].Numel;
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            live += graph.Nodes[i].Numel;
            peak = Math.Max(peak, live);
            foreach (int j in graph.Nodes[i].Inputs.Distinct())
                if (last[j] <= i) live -= graph.Nodes[j].Numel;
        }
        double bounds = graph.Nodes.Sum(n => (double)n.Numel);
        return (2.0 * (graph.InputSize + 1) * peak + 2.0 * bounds) * elementBytes;
    }
}
