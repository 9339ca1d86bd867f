namespace Verify.SolverHost;

/// <summary>Where solves run.</summary>
public enum SolverIsolation
{
    /// <summary>In worker processes of our own (the default): a native fault of the solver ends the worker, not the caller.</summary>
    Process,
    /// <summary>In the calling process (for debugging; a native fault of the solver ends the process).</summary>
    InProcess,
}
