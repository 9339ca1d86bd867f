using TorchSharp;
using Verify.Graph;
using Verify.Solvers;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>
/// Exact robustness of a two-output classifier on images the engine's bounds left open: the minimum of the margin
/// y_label - y_other over the clipped eps-ball by the engine's <see cref="MipEncoding"/> (SCIP, zero gap, in a solver
/// worker). Affordable for one hidden layer: one binary per unstable neuron.
/// </summary>
public static class MipCertifier
{
    /// <summary>The answer for one image.</summary>
    public enum Answer
    {
        /// <summary>The minimum margin is positive: robust.</summary>
        Certified,
        /// <summary>A point of the ball with margin at most 0 exists.</summary>
        Refuted,
        /// <summary>The solver did not finish (time limit or failure).</summary>
        Open,
    }

    /// <summary>The proven lower bound of the margin must exceed this to certify.</summary>
    public const double CertifyMargin = 1e-6;

    /// <summary>Decides image x (flattened, in [0,1]) with label 0 or 1 on a graph with two outputs.</summary>
    public static Answer Decide(ComputationGraph graph, double[] x, int label, double eps, double seconds)
    {
        if (graph.OutputSize != 2) throw new VerifyException($"the exact check needs two outputs, got {graph.OutputSize}");
        var lo = x.Select(v => Math.Max(0, v - eps)).ToArray();
        var hi = x.Select(v => Math.Min(1, v + eps)).ToArray();
        var c = label == 0 ? new[] { 1.0, -1.0 } : new[] { -1.0, 1.0 };
        var r = MipEncoding.Minimize(graph, lo, hi, c, 0, seconds);
        // Certified only on SCIP's proven bound, with a margin for its feasibility tolerances.
        if (r.BestBound > CertifyMargin) return Answer.Certified;
        return r.Value <= 0 ? Answer.Refuted : Answer.Open;
    }
}
