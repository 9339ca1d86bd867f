namespace Verify.Verification;

/// <summary>The outcome of checking a property.</summary>
public enum Verdict
{
    /// <summary>Proved: no input in the region reaches the unsafe set (VNN-COMP "unsat").</summary>
    Holds,
    /// <summary>Refuted by a counterexample confirmed in ONNX Runtime (VNN-COMP "sat").</summary>
    Violated,
    /// <summary>Neither proved nor refuted.</summary>
    Unknown,
    /// <summary>The time limit ran out first.</summary>
    Timeout,
}
