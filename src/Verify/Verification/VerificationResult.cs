namespace Verify.Verification;

/// <summary>The verdict of a check with the evidence behind it.</summary>
/// <param name="Verdict">Holds, violated, unknown or timeout.</param>
/// <param name="Counterexample">The confirmed counterexample when violated.</param>
/// <param name="Bounds">What each bound method proved, in the order run.</param>
/// <param name="AttackSeconds">Time spent in the attack and its ONNX Runtime checks.</param>
/// <param name="TotalSeconds">Total wall-clock time.</param>
/// <param name="Reason">Why the verdict is unknown (an error, NaN bounds, a rejected candidate), or null.</param>
/// <param name="BranchAndBound">What branch and bound did, when it ran.</param>
/// <param name="Refinement">What MIP refinement of the intermediate bounds did, per case, when it ran.</param>
public sealed record VerificationResult(
    Verdict Verdict,
    Counterexample? Counterexample,
    IReadOnlyList<MethodBounds> Bounds,
    double AttackSeconds,
    double TotalSeconds,
    string? Reason,
    Branching.BabResult? BranchAndBound = null,
    IReadOnlyList<Solvers.MipRefineResult>? Refinement = null);
