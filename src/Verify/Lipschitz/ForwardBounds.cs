using Verify.Bounds;
using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>
/// Pre-activation bounds of every hidden layer over a batch of domains, from the engine's CROWN intermediate bounds.
/// A domain may fix some ReLUs (split +1: z ≥ 0, −1: z ≤ 0); their bounds are clamped before later layers are bounded,
/// so the later layers are re-tightened under the split.
/// </summary>
public static class ForwardBounds
{
    /// <summary>
    /// Bounds [domains, n_k] (lower, upper) of each hidden layer's pre-activation over the box (vectors of the input
    /// size) for each domain. <paramref name="splits"/>, when given, holds per hidden layer a [domains, n_k] tensor of
    /// −1/0/+1; otherwise one domain is bounded. <paramref name="root"/>, when given, holds bounds [1, n_k] of each
    /// hidden layer valid over the whole box (e.g. from <see cref="Optimized"/>); every domain's bounds are
    /// intersected with them.
    /// </summary>
    public static IntervalBounds[] Compute(LipschitzNetwork net, double[] lower, double[] upper, Tensor[]? splits = null,
        BoundOptions? options = null, IntervalBounds[]? root = null)
    {
        long batch = splits is null ? 1 : splits[0].shape[0];
        var lo = tensor(lower, dtype: ScalarType.Float64, device: CPU).reshape(1, -1).expand(batch, -1).contiguous();
        var hi = tensor(upper, dtype: ScalarType.Float64, device: CPU).reshape(1, -1).expand(batch, -1).contiguous();
        Func<int, IntervalBounds, IntervalBounds>? refine = null;
        if (splits is not null || root is not null)
        {
            var layerOf = new Dictionary<int, int>();
            for (int k = 0; k < net.PreActivationNodes.Length; k++) layerOf[net.PreActivationNodes[k]] = k;
            refine = (node, b) =>
            {
                if (!layerOf.TryGetValue(node, out int k)) return b;
                var shape = b.Lower.shape;
                var l = b.Lower.reshape(batch, -1);
                var u = b.Upper.reshape(batch, -1);
                if (root is not null)
                {
                    l = maximum(l, root[k].Lower);
                    u = minimum(u, root[k].Upper);
                }
                if (splits is not null)
                {
                    var s = splits[k];
                    l = where(s > 0, l.clamp_min(0), l);
                    u = where(s < 0, u.clamp_max(0), u);
                }
                return new IntervalBounds(l.reshape(shape), u.reshape(shape));
            };
        }
        var all = BoundComputer.Intermediate(net.Graph, new IntervalBounds(lo, hi), options ?? BoundOptions.Crown, refine);
        return net.PreActivationNodes.Select(i => new IntervalBounds(all[i].Lower.reshape(batch, -1), all[i].Upper.reshape(batch, -1))).ToArray();
    }

    /// <summary>
    /// Bounds [1, n_k] of each hidden layer over the box by alpha-CROWN: the CROWN bounds with every unstable neuron's
    /// bounds optimised over the relaxation slopes of the layers below it, within <paramref name="budget"/> (layers not
    /// reached keep their CROWN bounds).
    /// </summary>
    public static IntervalBounds[] Optimized(LipschitzNetwork net, double[] lower, double[] upper, OptimizationOptions optimization,
        Budget budget)
    {
        var lo = tensor(lower, dtype: ScalarType.Float64, device: CPU).reshape(1, -1);
        var hi = tensor(upper, dtype: ScalarType.Float64, device: CPU).reshape(1, -1);
        var crown = BoundComputer.Intermediate(net.Graph, new IntervalBounds(lo, hi), BoundOptions.Crown);
        var all = OptimizedIntermediate.Tighten(net.Graph, crown, optimization, BoundOptions.Crown.MaxSpecsPerPass, budget);
        return net.PreActivationNodes.Select(i => new IntervalBounds(all[i].Lower.reshape(1, -1), all[i].Upper.reshape(1, -1))).ToArray();
    }
}
