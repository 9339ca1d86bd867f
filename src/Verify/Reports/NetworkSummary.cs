using Verify.Graph;

namespace Verify.Reports;

/// <summary>Size facts of a network for reports.</summary>
/// <param name="InputShape">Per-sample input shape.</param>
/// <param name="OutputShape">Per-sample output shape.</param>
/// <param name="Layers">Number of operator nodes (the input excluded).</param>
/// <param name="Neurons">Number of nonlinear units (outputs of nonlinear operators).</param>
/// <param name="Parameters">Number of constant parameters.</param>
/// <param name="Operators">Count of nodes per operator type, in order of first use.</param>
public sealed record NetworkSummary(long[] InputShape, long[] OutputShape, int Layers, long Neurons, long Parameters,
    IReadOnlyList<(string OpType, int Count)> Operators)
{
    /// <summary>Summarises a graph.</summary>
    public static NetworkSummary Of(ComputationGraph graph) => new(
        graph.InputShape, graph.OutputShape, graph.Nodes.Count - 1,
        graph.Nodes.Where(n => n.Op.NeedsInputBounds).Sum(n => n.Numel),
        graph.ParameterCount,
        graph.Nodes.Skip(1).GroupBy(n => n.Op.OpType).Select(g => (g.Key, g.Count())).ToList());
}
