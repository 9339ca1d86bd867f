namespace Verify.Spec;

/// <summary>
/// A VNNLIB property in normal form: a list of cases, each an input box with a disjunction of unsafe output
/// conjunctions. The property holds (VNN-COMP "unsat") when no case has an input whose output is unsafe.
/// </summary>
/// <param name="Cases">The cases (one per input box, or per box of a disjunction mixing inputs and outputs).</param>
/// <param name="InputSize">Number of input variables X_i.</param>
/// <param name="OutputSize">Number of output variables Y_j.</param>
/// <param name="Source">Where the property was read from (for messages).</param>
public sealed record VnnProperty(IReadOnlyList<PropertyCase> Cases, int InputSize, int OutputSize, string Source);
