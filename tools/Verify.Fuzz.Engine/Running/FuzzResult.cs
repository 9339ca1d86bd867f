using Verify.Fuzz.Inputs;

namespace Verify.Fuzz.Running;

/// <summary>The outcome of one input.</summary>
/// <param name="Input">The input.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Message">The exception's type and message (user errors and bugs), else empty.</param>
/// <param name="Seconds">Wall time until it ended (or until the deadline).</param>
/// <param name="MemoryGrowthMb">Peak growth of the process's working set while it ran, in MiB.</param>
/// <param name="CpuSeconds">CPU time of the worker thread (null when unknown or still running).</param>
public sealed record FuzzResult(FuzzInput Input, FuzzOutcome Outcome, string Message, double Seconds, double MemoryGrowthMb, double? CpuSeconds)
{
    /// <summary>True for the outcomes the parsers promise: accepted or a user error.</summary>
    public bool IsClean => Outcome is FuzzOutcome.Accepted or FuzzOutcome.UserError;

    /// <summary>The exception type of a bug, or the outcome's name.</summary>
    public string Kind => Outcome == FuzzOutcome.OtherException ? Message.Split(':')[0] : Outcome.ToString();
}
