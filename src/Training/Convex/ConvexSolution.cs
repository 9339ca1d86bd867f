using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>A solution of the convex program: first-layer weights W [N, d] and biases b [N] (detached), with how it was found.</summary>
/// <param name="W">Weights of neuron j in row j.</param>
/// <param name="B">Biases.</param>
/// <param name="Patterns">The patterns and signs the program used.</param>
/// <param name="Objective">The program's objective at (W, b) (no penalty).</param>
/// <param name="Gap">Feasibility of (W, b).</param>
/// <param name="Solver">"first-order (Adam)", "GLOP" or "PDLP".</param>
/// <param name="Seconds">Solve time.</param>
public sealed record ConvexSolution(Tensor W, Tensor B, ActivationPatterns Patterns, double Objective, FeasibilityGap Gap, string Solver, double Seconds);
