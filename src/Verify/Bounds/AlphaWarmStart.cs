using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Starting alphas for an alpha/beta-CROWN optimisation and, after it, each entry's alphas at its best bound, so a
/// branch-and-bound child can resume from its parent's slopes instead of the default ones.
/// </summary>
public sealed class AlphaWarmStart : IDisposable
{
    /// <summary>Creates the warm start from starting alphas per nonlinear node [batch, specs, ...shape]; NaN entries take the default alpha.</summary>
    public AlphaWarmStart(IReadOnlyDictionary<int, Tensor> initial) => Initial = initial;

    /// <summary>Starting alphas per nonlinear node, [batch, specs, ...shape]; NaN means the default.</summary>
    public IReadOnlyDictionary<int, Tensor> Initial { get; }

    /// <summary>Alphas per node at each (entry, spec)'s best bound so far, [batch, specs, ...shape], detached.</summary>
    public Dictionary<int, Tensor> Best { get; } = new();

    /// <summary>Keeps the current alphas where <paramref name="better"/> [batch, specs] is true (all, when null).</summary>
    internal void Record(IReadOnlyDictionary<int, Tensor> alphas, Tensor? better)
    {
        foreach (var (node, alpha) in alphas)
        {
            var now = alpha.detach();
            Tensor next;
            if (better is null || !Best.TryGetValue(node, out var old)) next = now.clone();
            else
            {
                var mask = better.reshape(better.shape.Concat(Enumerable.Repeat(1L, (int)now.dim() - 2)).ToArray());
                next = torch.where(mask, now, old);
            }
            if (Best.TryGetValue(node, out var previous)) previous.Dispose();
            Best[node] = next.DetachFromDisposeScope();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Best.Values) t.Dispose();
        Best.Clear();
    }
}
