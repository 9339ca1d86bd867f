using Verify.Graph;

namespace Verify.Solvers;

/// <summary>What <see cref="MipRefinement"/> produced and what it cost.</summary>
/// <param name="Bounds">Intermediate bounds of every node, never looser than the given ones.</param>
/// <param name="Layers">Per refined node: its index, unstable neurons before and after, and solves run.</param>
/// <param name="Rejected">Solver answers discarded because a concrete point contradicted them.</param>
/// <param name="Seconds">Wall-clock time spent.</param>
/// <param name="Sufficient">Whether the caller's test said the bounds were good enough before every node was refined.</param>
public sealed record MipRefineResult(IntervalBounds[] Bounds, IReadOnlyList<MipRefineLayer> Layers, int Rejected, double Seconds, bool Sufficient);

/// <summary>One refined node: unstable neurons before and after its solves, how many solves ran and their wall-clock time.</summary>
public sealed record MipRefineLayer(int Node, int UnstableBefore, int UnstableAfter, int Solves, double Seconds);
