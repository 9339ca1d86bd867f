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
    /// −1/0/+1; otherwise one domain is bounded.
    /// </summary>
    public static IntervalBounds[] Compute(LipschitzNetwork net, double[] lower, double[] upper, Tensor[]? splits = null,
        BoundOptions? options = null)
    {
        long batch = splits is null ? 1 : splits[0].shape[0];
        var lo = tensor(lower, dtype: ScalarType.Float64, device: CPU).reshape(1, -1).expand(batch, -1).contiguous();
        var hi = tensor(upper, dtype: ScalarType.Float64, device: CPU).reshape(1, -1).expand(batch, -1).contiguous();
        Func<int, IntervalBounds, IntervalBounds>? refine = null;
        if (splits is not null)
        {
            var layerOf = new Dictionary<int, int>();
            for (int k = 0; k < net.PreActivationNodes.Length; k++) layerOf[net.PreActivationNodes[k]] = k;
            refine = (node, b) =>
            {
                if (!layerOf.TryGetValue(node, out int k)) return b;
                var shape = b.Lower.shape;
                var s = splits[k];
                var l = b.Lower.reshape(batch, -1);
                var u = b.Upper.reshape(batch, -1);
                l = where(s > 0, l.clamp_min(0), l);
                u = where(s < 0, u.clamp_max(0), u);
                return new IntervalBounds(l.reshape(shape), u.reshape(shape));
            };
        }
        var all = BoundComputer.Intermediate(net.Graph, new IntervalBounds(lo, hi), options ?? BoundOptions.Crown, refine);
        return net.PreActivationNodes.Select(i => new IntervalBounds(all[i].Lower.reshape(batch, -1), all[i].Upper.reshape(batch, -1))).ToArray();
    }
}
