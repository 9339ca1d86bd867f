using Verify.Verification;

namespace Verify.Solvers;

/// <summary>The outcome of a complete (MIP) check of a property.</summary>
/// <param name="Verdict">Holds (no disjunct of any case is reachable), Violated, Unknown or Timeout.</param>
/// <param name="Input">For Violated: an input inside the case's box whose output (float64 forward pass of our graph)
/// satisfies the disjunct, flattened; to be confirmed in ONNX Runtime. Otherwise null.</param>
/// <param name="Case">For Violated: the case whose box holds <paramref name="Input"/>; otherwise -1.</param>
/// <param name="Disjunct">For Violated: the disjunct the output satisfies; otherwise -1.</param>
/// <param name="MipsSolved">How many MIPs SCIP was given (disjuncts CROWN already refutes need none).</param>
/// <param name="Seconds">Wall-clock time of the check.</param>
/// <param name="Reason">Why the verdict is Unknown or Timeout; otherwise null.</param>
public sealed record MipVerdict(Verdict Verdict, double[]? Input, int Case, int Disjunct, int MipsSolved, double Seconds, string? Reason);
