namespace Verify;

/// <summary>
/// The time a piece of work may take: a deadline and the caller's cancellation. Shares of the time left give the
/// budgets of sub-steps; <see cref="CancelAtDeadline"/> turns the deadline into a token for long batched steps.
/// </summary>
/// <param name="Deadline">UTC time by which the work must stop.</param>
/// <param name="Cancel">The caller's cancellation (a signal, or an enclosing budget's deadline).</param>
public readonly record struct Budget(DateTime Deadline, CancellationToken Cancel = default)
{
    /// <summary>A budget of <paramref name="seconds"/> from now.</summary>
    public static Budget Seconds(double seconds, CancellationToken cancel = default) =>
        new(DateTime.UtcNow.AddSeconds(Math.Max(0, seconds)), cancel);

    /// <summary>Time left (never negative).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Deadline - DateTime.UtcNow;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Seconds left (never negative).</summary>
    public double RemainingSeconds => Remaining.TotalSeconds;

    /// <summary>True once the deadline has passed or the work was cancelled.</summary>
    public bool Expired => DateTime.UtcNow >= Deadline || Cancel.IsCancellationRequested;

    /// <summary>The budget ending after <paramref name="share"/> (0..1) of the time left.</summary>
    public Budget Share(double share) => this with { Deadline = DateTime.UtcNow + Remaining * Math.Clamp(share, 0, 1) };

    /// <summary>The budget ending after at most <paramref name="seconds"/> from now (or at the deadline, if earlier).</summary>
    public Budget AtMost(double seconds)
    {
        var end = DateTime.UtcNow.AddSeconds(Math.Max(0, seconds));
        return end < Deadline ? this with { Deadline = end } : this;
    }

    /// <summary>The same deadline with another cancellation token.</summary>
    public Budget WithCancel(CancellationToken cancel) => this with { Cancel = cancel };

    /// <summary>
    /// A source cancelled at the deadline or by <see cref="Cancel"/>, so that a long step stops inside (between
    /// iterations and layers); dispose it when the step is done.
    /// </summary>
    public CancellationTokenSource CancelAtDeadline()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var left = Remaining;
        source.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
        return source;
    }
}
