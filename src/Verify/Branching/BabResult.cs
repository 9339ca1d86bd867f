namespace Verify.Branching;

/// <summary>How a branch-and-bound search ended.</summary>
public enum BabStatus
{
    /// <summary>Every domain was refuted: the property holds.</summary>
    Proved,
    /// <summary>A counterexample was found and confirmed.</summary>
    Violated,
    /// <summary>The time limit ran out.</summary>
    Timeout,
    /// <summary>The search could not finish (memory cap, undecidable leaf, NaN bounds).</summary>
    Unknown,
}

/// <summary>Outcome of branch and bound.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Counterexample">The confirmed counterexample when violated.</param>
/// <param name="Domains">Domains bounded in all.</param>
/// <param name="Steps">Batched bound passes.</param>
/// <param name="Reason">Why it ended unknown, or null.</param>
public sealed record BabResult(BabStatus Status, Verification.Counterexample? Counterexample, long Domains, int Steps, string? Reason);
