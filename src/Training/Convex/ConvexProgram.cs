using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>
/// The l_inf-robust convex training program of a one-hidden-layer ReLU network (Bai, Gautam, Sojoudi), on sampled
/// patterns D_j and signs s_j, in the variables W [N, d] and b [N]:
/// <code>
///   pre_nj = x_n·w_j + b_j,   f_n = Σ_j s_j D_nj pre_nj,   g_n = Σ_j s_j D_nj w_j
///   minimise (1/n) Σ_n ℓ_n + beta·R(W)
///   ℓ_n = max(0, 1 - y_n f_n + eps‖g_n‖₁)           (hinge)   or   (|y_n - f_n| + eps‖g_n‖₁)²   (squared)
///   subject to (2 D_nj - 1)·pre_nj >= eps‖w_j‖₁      for every sample n and neuron j.
/// </code>
/// The constraints keep every neuron's activation fixed on the whole eps-ball of every training point, so there the
/// network x ↦ Σ_j s_j relu(x·w_j + b_j) is the linear map x ↦ f_n + g_n·(x - x_n) and ℓ_n is its exact worst-case loss.
/// </summary>
public static class ConvexProgram
{
    /// <summary>The program's terms at (W, b): per-sample robust losses [n], regulariser (scalar), violations [n, N] (>= 0).</summary>
    public static (Tensor Losses, Tensor Regularizer, Tensor Violations) Terms(ConvexData data, ActivationPatterns p, Tensor w, Tensor b,
        ConvexOptions options)
    {
        var pre = data.X.matmul(w.t()) + b;
        var sd = p.D * p.Signs;
        var f = (sd * pre).sum(1);
        var g = sd.matmul(w);
        var spread = options.Eps * g.abs().sum(1);
        var losses = options.Loss == ConvexLoss.Hinge
            ? (1 - data.Y * f + spread).clamp_min(0)
            : ((data.Y - f).abs() + spread).square();
        var reg = options.Beta * (options.Regularizer == ConvexRegularizer.L1 ? w.abs().sum() : w.square().sum(1).add(1e-30).sqrt().sum());
        var violations = (options.Eps * w.abs().sum(1) - (2 * p.D - 1) * pre).clamp_min(0);
        return (losses, reg, violations);
    }

    /// <summary>The objective (1/n) Σ ℓ_n + beta·R(W) (without any penalty), as a double.</summary>
    public static double Objective(ConvexData data, ActivationPatterns p, Tensor w, Tensor b, ConvexOptions options)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (losses, reg, _) = Terms(data, p, w, b, options);
        return (losses.mean() + reg).ToDouble();
    }

    /// <summary>How far (W, b) is from feasible: the largest violation and the fraction of (n, j) pairs violated by more than 1e-6.</summary>
    public static FeasibilityGap Gap(ConvexData data, ActivationPatterns p, Tensor w, Tensor b, ConvexOptions options)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (_, _, v) = Terms(data, p, w, b, options);
        var pre = data.X.matmul(w.t()) + b;
        // A pattern differs on a clean training point when a neuron with non-zero weights is on the wrong side.
        var live = w.abs().sum(1).gt(0);
        var wrong = pre.ge(0).to(p.D.dtype).ne(p.D).logical_and(pre.ne(0)).logical_and(live.unsqueeze(0)).any(1);
        return new FeasibilityGap(v.max().ToDouble(), v.gt(1e-6).to(ScalarType.Float64).mean().ToDouble(),
            wrong.to(ScalarType.Float64).mean().ToDouble());
    }
}

/// <summary>
/// Feasibility of a first-order solution: the largest constraint violation, the fraction of (sample, neuron) pairs
/// violated, and the fraction of training points where the network's own activation pattern differs from D.
/// </summary>
public sealed record FeasibilityGap(double MaxViolation, double ViolatedFraction, double PatternMismatchFraction);
