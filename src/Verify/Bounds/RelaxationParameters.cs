using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Optimisable parts of a backward pass, per node index: the lower-relaxation parameters (alpha) of nonlinear
/// nodes, and split multipliers folded into the coefficients of their inputs (beta-CROWN: for a split constraint
/// s·z &gt;= 0 with multiplier beta &gt;= 0, the coefficient on z gains -beta·s).
/// </summary>
public sealed class RelaxationParameters
{
    /// <summary>Alpha per nonlinear node, broadcastable to [batch, specs, ...node shape].</summary>
    public Dictionary<int, Tensor> Alpha { get; } = new();

    /// <summary>Additive coefficient on the input of a nonlinear node, [batch, specs, ...input shape].</summary>
    public Dictionary<int, Tensor> InputOffset { get; } = new();

    /// <summary>
    /// When set, receives the coefficients [batch, specs, ...shape] on the output of every nonlinear node the pass
    /// visits, and under key 0 those on the input.
    /// </summary>
    public Dictionary<int, Tensor>? Capture { get; set; }

    /// <summary>The alpha of a node, or null.</summary>
    public Tensor? AlphaOf(int node) => Alpha.TryGetValue(node, out var a) ? a : null;

    /// <summary>The input offset of a node, or null.</summary>
    public Tensor? InputOffsetOf(int node) => InputOffset.TryGetValue(node, out var o) ? o : null;
}
