using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Graph;

/// <summary>Whether a graph's parameters are finite: NaN bounds of a finite network come from overflow, not from its weights.</summary>
public static class ParameterCheck
{
    /// <summary>The name of the first node with a NaN or infinite parameter, or null when every parameter is finite.</summary>
    public static string? FirstNonFinite(ComputationGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            bool bad = false;
            node.Op.Map(t =>
            {
                if (!bad && t.is_floating_point() && t.isfinite().logical_not().any().item<bool>()) bad = true;
                return t;
            });
            if (bad) return node.Name;
        }
        return null;
    }
}
