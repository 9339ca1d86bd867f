namespace Verify.Fuzz.Running;

/// <summary>How each input is run.</summary>
/// <param name="TimeoutMs">Per-input deadline; an input still running then is a hang.</param>
/// <param name="MaxMemoryMb">Largest allowed growth of the working set while an input runs.</param>
/// <param name="StackBytes">Stack size of the worker thread (0: the runtime's default for new threads).</param>
public sealed record FuzzOptions(int TimeoutMs = 5000, int MaxMemoryMb = 1024, int StackBytes = 0);
