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
    /// <summary>The search could not finish (domain cap, memory limit, undecidable leaf, NaN bounds).</summary>
    Unknown,
}

/// <summary>Outcome of branch and bound.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Counterexample">The confirmed counterexample when violated.</param>
/// <param name="Domains">Domains bounded in all.</param>
/// <param name="Steps">Batched bound passes.</param>
/// <param name="Reason">Why it ended unknown, or null.</param>
public sealed record BabResult(BabStatus Status, Verification.Counterexample? Counterexample, long Domains, int Steps, string? Reason);

/// <summary>The limits every branch-and-bound loop checks before a step.</summary>
public static class BabLimits
{
    /// <summary>
    /// The result that ends the search now (time out, too many pending domains, or <paramref name="memory"/> refusing a
    /// step that adds about <paramref name="growthBytes"/> to the domain store), or null to go on.
    /// </summary>
    public static BabResult? Check(long pending, BabOptions options, Budget budget, long domains, int steps,
        MemoryGuard? memory = null, long growthBytes = 0)
    {
        if (budget.Expired)
            return new BabResult(BabStatus.Timeout, null, domains, steps, "time limit reached");
        if (pending > options.MaxDomains)
            return new BabResult(BabStatus.Unknown, null, domains, steps, $"more than {options.MaxDomains} pending domains");
        if (memory?.BeforeStep(growthBytes) is { } refusal)
            return new BabResult(BabStatus.Unknown, null, domains, steps, refusal);
        return null;
    }
}
