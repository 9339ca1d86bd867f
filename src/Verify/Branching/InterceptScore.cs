using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// The BaBSR intercept score of unstable ReLUs: how much a lower bound loses to the upper relaxation's intercept,
/// |min(A, 0)|·(−l·u/(u−l)) with A the bound's coefficient of the ReLU's output, plus a small width term so that
/// neurons with A = 0 still rank by their relaxation's size.
/// </summary>
internal static class InterceptScore
{
    /// <summary>−l·u/(u−l) where l &lt; 0 &lt; u, else 0 (elementwise).</summary>
    public static Tensor Intercept(Tensor l, Tensor u) =>
        torch.where((l < 0).logical_and(u > 0), -l * u / (u - l).clamp_min(1e-12), torch.zeros_like(l));

    /// <summary>The score from the summed |min(A, 0)| of the counted specifications and the intercepts.</summary>
    public static Tensor Of(Tensor coefficient, Tensor intercept) => coefficient * intercept + 1e-4 * intercept;
}
