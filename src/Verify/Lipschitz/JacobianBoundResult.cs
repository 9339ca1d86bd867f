using Verify.Graph;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>
/// Bounds over the Jacobian graph for every (domain, output) pair, pairs laid out domain-major ([domains × outputs]).
/// </summary>
/// <param name="NormUpper">Upper bound of ‖∇f_j‖₁ over the domain, [pairs].</param>
/// <param name="InputGradient">Bounds of ∇f_j = g₀ entrywise, [pairs, inputs].</param>
/// <param name="Hidden">Bounds of g at each hidden layer (the vector multiplied by the derivative), [pairs, n_k].</param>
/// <param name="Sensitivity">
/// CROWN only: per hidden layer, the coefficient λ_k [pairs, n_k] of y_k in the back-substituted bound of ‖g₀‖₁
/// (for branching); null otherwise.
/// </param>
public sealed record JacobianBoundResult(Tensor NormUpper, IntervalBounds InputGradient, IntervalBounds[] Hidden, Tensor[]? Sensitivity = null);
