namespace Verify.Branching;

/// <summary>How ReLU splitting chooses the neuron to split in a domain.</summary>
public enum BranchingRule
{
    /// <summary>The unstable neuron with the largest BaBSR intercept score.</summary>
    BaBsr,

    /// <summary>
    /// Filtered smart branching: among the top BaBSR candidates, the one whose worse child has the best estimated
    /// bound (one cheap bound pass per candidate and side, with the parent's alphas and betas).
    /// </summary>
    Fsb,
}
