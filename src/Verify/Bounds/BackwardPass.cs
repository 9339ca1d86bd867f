using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// CROWN's backward linear bound propagation: a lower bound of A·v(start) + bias over the input box, obtained by
/// pushing the coefficients through every operator's linear relaxation down to the input.
/// </summary>
public static class BackwardPass
{
    /// <summary>
    /// Lower bound [batch, specs] of A·v(<paramref name="start"/>) + <paramref name="bias"/>, where
    /// <paramref name="a"/> is [batch, specs, ...shape(start)] (or [1, specs, ...], shared by the whole batch). <paramref name="bounds"/> must hold sound bounds for
    /// every input of every nonlinear operator between the input and <paramref name="start"/>.
    /// <paramref name="parameters"/>, when given, supplies optimisable relaxation parameters (alpha, beta).
    /// </summary>
    public static Tensor Lower(ComputationGraph graph, int start, Tensor a, Tensor? bias,
        IReadOnlyList<IntervalBounds?> bounds, RelaxationParameters? parameters = null)
    {
        var (inputA, total) = ToInput(graph, start, a, bias, bounds, parameters);
        var box = bounds[0] ?? throw new ArgumentException("bounds[0] (the input box) is required");
        return total + Concretize(inputA, box);
    }

    /// <summary>
    /// Propagates <paramref name="a"/> from <paramref name="start"/> to the input node: returns the coefficients on
    /// the input and the accumulated bias [batch, specs] (the linear lower bound as a function of the input).
    /// </summary>
    public static (Tensor InputA, Tensor Bias) ToInput(ComputationGraph graph, int start, Tensor a, Tensor? bias,
        IReadOnlyList<IntervalBounds?> bounds, RelaxationParameters? parameters = null)
    {
        var acc = new Tensor?[start + 1];
        acc[start] = a;
        // Coefficients are freed as soon as they are pushed below their node (a deep or residual network would
        // otherwise hold every node's until the caller's scope ends); the caller's and captured ones are kept.
        var keep = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { a };
        void Release(Tensor? t)
        {
            if (t is null || keep.Contains(t) || acc.Any(x => ReferenceEquals(x, t))) return;
            t.Dispose();
        }
        var total = bias ?? torch.zeros(a.shape[0], a.shape[1], dtype: a.dtype, device: a.device);
        for (int i = start; i >= 1; i--)
        {
            var ai = acc[i];
            if (ai is null) continue;
            var node = graph.Nodes[i];
            IntervalBounds[]? inputBounds = null;
            if (node.Op.NeedsInputBounds)
                inputBounds = node.Inputs.Select(j => bounds[j] ?? throw new InvalidOperationException(
                    $"no bounds for the input of node {node.Name}")).ToArray();
            var shapes = node.Inputs.Select(j => graph.Nodes[j].Shape).ToArray();
            // Coefficients may carry a batch of 1 until the first nonlinear node; there they take the bounds' batch.
            if (inputBounds is not null && ai.shape[0] != inputBounds[0].Lower.shape[0])
                ai = ai.expand(new[] { inputBounds[0].Lower.shape[0] }.Concat(ai.shape.Skip(1)).ToArray());
            if (parameters?.Capture is { } capture && node.Op.NeedsInputBounds)
            {
                capture[i] = ai;
                keep.Add(ai);
            }
            // Temporaries of one node's rule are freed right away (autograd keeps what it needs); only the
            // accumulated coefficients and bias leave the scope.
            using var step = torch.NewDisposeScope();
            var r = node.Op.Backward(ai, new BackwardContext(shapes, inputBounds, parameters?.AlphaOf(i)));
            if (parameters?.InputOffsetOf(i) is { } offset) r.InputA[0] = r.InputA[0] is null ? offset : r.InputA[0]! + offset;
            if (r.Bias is not null) total = (total + r.Bias).MoveToOuterDisposeScope();
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                var contribution = r.InputA[k];
                if (contribution is null) continue;
                int j = node.Inputs[k];
                var old = acc[j];
                acc[j] = (old is null ? contribution : old + contribution).MoveToOuterDisposeScope();
                Release(old);
            }
            var own = acc[i];
            acc[i] = null;
            Release(own);
            if (!ReferenceEquals(own, ai)) Release(ai);
        }
        var inputA = acc[0] ?? torch.zeros(new[] { a.shape[0], a.shape[1] }.Concat(graph.InputShape).ToArray(),
            dtype: a.dtype, device: a.device);
        if (parameters?.Capture is { } captured) captured[0] = inputA;
        return (inputA, total);
    }

    /// <summary>Minimum of A·x over a box: A⁺·lower + A⁻·upper, summed over the sample dims → [batch, specs].</summary>
    public static Tensor Concretize(Tensor a, IntervalBounds box)
    {
        var lo = box.Lower.unsqueeze(1);
        var hi = box.Upper.unsqueeze(1);
        return (a.clamp_min(0) * lo + a.clamp_max(0) * hi).flatten(2).sum(2);
    }
}
