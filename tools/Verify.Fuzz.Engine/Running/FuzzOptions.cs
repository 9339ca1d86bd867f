namespace Verify.Fuzz.Running;

/// <summary>How each input is run.</summary>
/// <param name="TimeoutMs">Per-input limit on the worker thread's CPU time (its wall time where that cannot be measured).</param>
/// <param name="MaxMemoryMb">Largest allowed growth of the working set while an input runs.</param>
/// <param name="WallCapMs">Wall-clock deadline: an input still running then is a hang (generous, as the machine may be shared).</param>
/// <param name="StackBytes">Stack size of the worker thread (0: the runtime's default for new threads).</param>
public sealed record FuzzOptions(int TimeoutMs = 5000, int MaxMemoryMb = 1024, int WallCapMs = 60_000, int StackBytes = 0);
