using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Starting alphas for an alpha/beta-CROWN optimisation and, after it, each entry's alphas at its best bound, so a
/// branch-and-bound child can resume from its parent's slopes instead of the default ones. The split multipliers
/// (beta) at the best bound are kept too, for branching heuristics that re-bound the children with the parent's parameters.
/// </summary>
public sealed class AlphaWarmStart : IDisposable
{
    /// <summary>
    /// Creates the warm start from starting alphas per nonlinear node [batch, specs, ...shape]; NaN entries take the
    /// default alpha. <paramref name="keepBetas"/> also keeps the best betas in <see cref="BestBeta"/>.
    /// </summary>
    public AlphaWarmStart(IReadOnlyDictionary<int, Tensor> initial, bool keepBetas = false)
    {
        Initial = initial;
        keepsBetas = keepBetas;
    }

    readonly bool keepsBetas;

    /// <summary>Starting alphas per nonlinear node, [batch, specs, ...shape]; NaN means the default.</summary>
    public IReadOnlyDictionary<int, Tensor> Initial { get; }

    /// <summary>Alphas per node at each (entry, spec)'s best bound so far, [batch, specs, ...shape], detached.</summary>
    public Dictionary<int, Tensor> Best { get; } = new();

    /// <summary>Split multipliers per split nonlinear node at each entry's best bound, [batch, specs, ...input shape], detached.</summary>
    public Dictionary<int, Tensor> BestBeta { get; } = new();

    /// <summary>Keeps the current alphas and betas where <paramref name="better"/> [batch, specs] is true (all, when null).</summary>
    internal void Record(IReadOnlyDictionary<int, Tensor> alphas, IReadOnlyDictionary<int, Tensor> betas, Tensor? better)
    {
        Keep(Best, alphas, better);
        if (keepsBetas) Keep(BestBeta, betas, better);
    }

    static void Keep(Dictionary<int, Tensor> store, IReadOnlyDictionary<int, Tensor> current, Tensor? better)
    {
        foreach (var (node, value) in current)
        {
            var now = value.detach();
            Tensor next;
            if (better is null || !store.TryGetValue(node, out var old)) next = now.clone();
            else
            {
                var mask = better.reshape(better.shape.Concat(Enumerable.Repeat(1L, (int)now.dim() - 2)).ToArray());
                next = torch.where(mask, now, old);
            }
            if (store.TryGetValue(node, out var previous)) previous.Dispose();
            store[node] = next.DetachFromDisposeScope();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Best.Values.Concat(BestBeta.Values)) t.Dispose();
        Best.Clear();
        BestBeta.Clear();
    }
}
