using System.Diagnostics;

namespace Verify.Branching;

/// <summary>
/// Hands the heap's free pages back to the system between branch-and-bound steps, at most once per interval: often
/// enough that resident memory follows the live tensors, rarely enough that short input-splitting steps do not pay
/// for it each time.
/// </summary>
public sealed class HeapTrimmer
{
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly TimeSpan interval;
    TimeSpan last;

    /// <summary>Creates a trimmer that trims at most once per <paramref name="interval"/> (default 2 s).</summary>
    public HeapTrimmer(TimeSpan? interval = null) => this.interval = interval ?? TimeSpan.FromSeconds(2);

    /// <summary>Called between steps, once their tensors are freed: trims when the interval has passed.</summary>
    public void BetweenSteps()
    {
        var now = clock.Elapsed;
        if (now - last < interval) return;
        last = now;
        RuntimeSetup.ReleaseFreedMemory();
    }
}
