using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Operators;

/// <summary>
/// The tangent touch points (<see cref="SShapedTangentSearch.TouchPointBelow"/>) of an S-shaped activation for the
/// last pair of bound tensors it relaxed, for [l, u] and for the mirrored [−u, −l]. They depend only on the bounds,
/// which an alpha/beta optimisation passes unchanged (the same tensor objects, never modified in place) at every
/// iteration, so the 40-step bisection runs once per optimisation instead of once per iteration. Bounds that require
/// gradients are never cached. Thread-safe; callers get aliases, which stay valid when the entry is replaced.
/// </summary>
internal sealed class SShapedTouchCache
{
    readonly object gate = new();
    Tensor? lower, upper;
    (Tensor Point, Tensor Reachable) up, mirrored;

    /// <summary>The touch points for (lower, upper) and (−upper, −lower).</summary>
    public ((Tensor Point, Tensor Reachable) Upper, (Tensor Point, Tensor Reachable) Mirrored) Get(SShapedActivation f, Tensor l, Tensor u)
    {
        if (l.requires_grad || u.requires_grad)
            return (SShapedTangentSearch.TouchPointBelow(f, l, u), SShapedTangentSearch.TouchPointBelow(f, -u, -l));
        lock (gate)
        {
            if (!ReferenceEquals(l, lower) || !ReferenceEquals(u, upper))
            {
                using var scope = torch.NewDisposeScope();
                var a = SShapedTangentSearch.TouchPointBelow(f, l, u);
                var b = SShapedTangentSearch.TouchPointBelow(f, -u, -l);
                Free();
                up = (Keep(a.Point), Keep(a.Reachable));
                mirrored = (Keep(b.Point), Keep(b.Reachable));
                (lower, upper) = (l, u);
            }
            return ((up.Point.alias(), up.Reachable.alias()), (mirrored.Point.alias(), mirrored.Reachable.alias()));
        }
    }

    static Tensor Keep(Tensor t) => t.detach().DetachFromDisposeScope();

    void Free()
    {
        if (lower is null) return;
        up.Point.Dispose();
        up.Reachable.Dispose();
        mirrored.Point.Dispose();
        mirrored.Reachable.Dispose();
    }
}
