namespace Verify.Verification;

/// <summary>An input inside the property's region whose output (as computed by ONNX Runtime) is unsafe.</summary>
/// <param name="Input">The input, flattened in C order.</param>
/// <param name="Output">ONNX Runtime's output for it, flattened.</param>
/// <param name="Case">Index of the property case whose box holds the input.</param>
/// <param name="Disjunct">Index of a disjunct the output satisfies.</param>
public sealed record Counterexample(double[] Input, double[] Output, int Case, int Disjunct);
