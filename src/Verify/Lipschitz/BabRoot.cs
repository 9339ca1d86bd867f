using Verify.Graph;

namespace Verify.Lipschitz;

/// <summary>
/// Bounds of the unsplit box that a Lipschitz branch-and-bound can start from instead of bounding it again.
/// </summary>
/// <param name="Forward">Pre-activation bounds [1, n_k] per hidden layer, valid over the whole box.</param>
/// <param name="Jacobian">CROWN Jacobian-graph bounds computed from them (with sensitivities), one row per output analysed.</param>
/// <param name="Rows">For each output of the search (by position), its row in <paramref name="Jacobian"/>.</param>
public sealed record BabRoot(IntervalBounds[] Forward, JacobianBoundResult Jacobian, long[] Rows);
