using System.Diagnostics;
using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// The triangle ("planet") LP relaxation of a piecewise-linear network over an input box, given sound intermediate
/// bounds: linear operators exactly, stable ReLU/LeakyReLU neurons exactly, unstable ones by their convex hull on
/// the (slightly widened) bounds. Never looser than CROWN with the same intermediate bounds.
/// </summary>
public static class LpRelaxation
{
    /// <summary>
    /// A sound lower bound of min c·y + offset over the box (y the flattened output) under the relaxation, and
    /// whether the LP was solved to optimality; negative infinity when it was not (time limit, numerical trouble).
    /// <paramref name="bounds"/> are intermediate bounds of every node for the box (batch entry
    /// <see cref="LpOptions.BatchIndex"/>).
    /// </summary>
    public static (double Value, bool Optimal) Minimize(ComputationGraph graph, double[] lower, double[] upper,
        IReadOnlyList<IntervalBounds> bounds, double[] c, double offset, double timeLimitSeconds, LpOptions? options = null)
    {
        options ??= LpOptions.Default;
        if (c.Length != graph.OutputSize) throw new ArgumentException($"c has {c.Length} entries, the output {graph.OutputSize}");
        var sw = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var g = graph.To(CPU, ScalarType.Float64);
        using var model = new LinearModel(LpSolve.SolverId(options.Backend));
        var encoder = new NetworkEncoder(model, g, lower, upper, bounds, options.BatchIndex, TriangleActivation.Instance, options.BoundSlack);
        model.SetObjective(encoder.Columns(g.OutputIndex), c, offset);
        return LpSolve.LowerBound(model, options.Backend, timeLimitSeconds - sw.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Intermediate bounds tightened by the LP: node by node, every unstable neuron (l &lt; 0 &lt; u) of every input of
    /// a ReLU/LeakyReLU is minimised and maximised under the relaxation built from the already tightened earlier
    /// nodes. The result equals <paramref name="bounds"/> except for batch entry <see cref="LpOptions.BatchIndex"/> of
    /// those nodes, which is intersected with the LP bounds (never looser). Neurons left when the time limit runs out
    /// keep their bounds. Nodes that are a single linear map of the input are skipped (their interval bounds are
    /// already exact), and once a neuron is proved stable its other side is not solved for.
    /// </summary>
    public static IntervalBounds[] TightenIntermediate(ComputationGraph graph, double[] lower, double[] upper,
        IReadOnlyList<IntervalBounds> bounds, double timeLimitSeconds, LpOptions? options = null)
    {
        options ??= LpOptions.Default;
        var sw = Stopwatch.StartNew();
        var result = bounds.ToArray();
        using var scope = torch.NewDisposeScope();
        var g = graph.To(CPU, ScalarType.Float64);
        using var model = new LinearModel(LpSolve.SolverId(options.Backend));
        var encoder = new NetworkEncoder(model, g, lower, upper, bounds, options.BatchIndex, TriangleActivation.Instance, options.BoundSlack);
        double Remaining() => timeLimitSeconds - sw.Elapsed.TotalSeconds;
        foreach (int node in PreActivationNodes(g))
        {
            if (Remaining() <= 0) break;
            var columns = encoder.Columns(node);
            bool changed = false;
            for (int k = 0; k < columns.Length && Remaining() > 0; k++)
            {
                if (!(encoder.Lower(node, k) < 0 && encoder.Upper(node, k) > 0)) continue;
                model.SetObjective(new[] { columns[k] }, new[] { 1.0 }, 0);
                var (min, minOk) = LpSolve.LowerBound(model, options.Backend, Remaining());
                if (minOk && min > encoder.Lower(node, k))
                {
                    encoder.Tighten(node, k, min, double.PositiveInfinity);
                    changed = true;
                }
                if (encoder.Lower(node, k) >= 0) continue;
                model.SetObjective(new[] { columns[k] }, new[] { -1.0 }, 0);
                var (negMax, maxOk) = LpSolve.LowerBound(model, options.Backend, Remaining());
                if (maxOk && -negMax < encoder.Upper(node, k))
                {
                    encoder.Tighten(node, k, double.NegativeInfinity, -negMax);
                    changed = true;
                }
            }
            if (!changed) continue;
            encoder.ApplyColumnBounds(node);
            var (lo, hi) = encoder.Bounds(node);
            result[node] = new IntervalBounds(Replace(bounds[node].Lower, options.BatchIndex, lo, -1).MoveToOuterDisposeScope(),
                Replace(bounds[node].Upper, options.BatchIndex, hi, 1).MoveToOuterDisposeScope());
        }
        return result;
    }

    /// <summary>
    /// Nodes whose bounds a ReLU/LeakyReLU relaxation reads, in topological order, except affine maps of the input
    /// (no nonlinear node below them): CROWN's bounds of those are already exact over the box.
    /// </summary>
    internal static IEnumerable<int> PreActivationNodes(ComputationGraph g) =>
        Enumerable.Range(1, g.OutputIndex).Where(i =>
            g.Consumers[i].Any(c => c <= g.OutputIndex && g.Nodes[c].Op is ActivationOperator { PiecewiseLinear: not null })
            && g.AncestorsOf(i).Select((isAncestor, j) => isAncestor && g.Nodes[j].Op.NeedsInputBounds).Any(x => x));

    /// <summary>
    /// A copy of <paramref name="given"/> with batch entry <paramref name="batchIndex"/> set to the values, rounded
    /// outward (<paramref name="direction"/> -1 down, +1 up) when the tensor is float32.
    /// </summary>
    internal static Tensor Replace(Tensor given, int batchIndex, double[] values, int direction)
    {
        var v = given.dtype switch
        {
            ScalarType.Float64 => torch.tensor(values, dtype: ScalarType.Float64),
            ScalarType.Float32 => torch.tensor(values.Select(x => Outward(x, direction)).ToArray(), dtype: ScalarType.Float32),
            _ => throw new ArgumentException($"bounds of type {given.dtype} are not supported"),
        };
        var copy = given.clone();
        copy.select(0, batchIndex).copy_(v.reshape(given.shape.Skip(1).ToArray()).to(given.device));
        return copy;
    }

    static float Outward(double x, int direction)
    {
        float f = (float)x;
        if (direction < 0 && f > x) f = MathF.BitDecrement(f);
        if (direction > 0 && f < x) f = MathF.BitIncrement(f);
        return f;
    }
}
