using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>
/// Bounds of the Clarke Jacobian's rows over a region, by bound propagation on the backward (Jacobian) graph
/// (Shi, Wang, Zhang, Kolter, Hsieh, NeurIPS 2022): g_{H−1} = W_Lᵀe_j, y_k = s_k ⊙ g_k with s_k the derivative bounds
/// of hidden layer k, g_{k−1} = W_kᵀ y_k, down to the input gradient g₀ = ∇f_j; then ‖g₀‖₁ with |g| bounded by its chord.
/// The graph's only input is the constant W_Lᵀe_j, so each bound is a back-substitution to that constant. Batched over
/// domains and outputs; every intermediate bound is intersected with interval arithmetic.
/// </summary>
public static class JacobianBounds
{
    /// <summary>
    /// Bounds for the outputs <paramref name="outputs"/> of each domain, given the derivative bounds per hidden layer
    /// ([domains, n_k] each).
    /// </summary>
    public static JacobianBoundResult Compute(LipschitzNetwork net, IntervalBounds[] slopes, int[] outputs, JacobianMethod method)
    {
        int hidden = net.HiddenLayers;
        int j = outputs.Length;
        long domains = hidden == 0 ? 1 : slopes[0].Lower.shape[0];
        long pairs = domains * j;
        var idx = tensor(outputs.Select(o => (long)o).ToArray(), dtype: ScalarType.Int64, device: CPU);
        var top = net.Weights[hidden].index_select(0, idx);                        // [J, n_{H-1} or inputs]
        var c = top.unsqueeze(0).expand(domains, -1, -1).reshape(pairs, -1);      // the constant g_{H-1}
        Tensor Pairwise(Tensor t) => t.unsqueeze(1).expand(-1, j, -1).reshape(pairs, -1);
        return Propagate(net, slopes.Select(s => Pairwise(s.Lower)).ToArray(), slopes.Select(s => Pairwise(s.Upper)).ToArray(), c, method);
    }

    /// <summary>
    /// Bounds for one output per domain (<paramref name="outputOfDomain"/>, one entry per row of the derivative
    /// bounds), so that domains of different outputs share one batched pass.
    /// </summary>
    public static JacobianBoundResult ComputePerDomain(LipschitzNetwork net, IntervalBounds[] slopes, long[] outputOfDomain, JacobianMethod method)
    {
        var idx = tensor(outputOfDomain, dtype: ScalarType.Int64, device: CPU);
        var c = net.Weights[net.HiddenLayers].index_select(0, idx);
        return Propagate(net, slopes.Select(s => s.Lower).ToArray(), slopes.Select(s => s.Upper).ToArray(), c, method);
    }

    /// <summary>Back-substitution for [pairs] rows: derivative bounds per hidden layer and the constant g_{H−1} per row.</summary>
    static JacobianBoundResult Propagate(LipschitzNetwork net, Tensor[] sl, Tensor[] su, Tensor c, JacobianMethod method)
    {
        int hidden = net.HiddenLayers;
        long pairs = c.shape[0];
        var w = net.Weights;
        var g = new IntervalBounds[hidden];
        var lines = new LinearLines[hidden];
        IntervalBounds input;
        if (hidden == 0) input = new IntervalBounds(c, c);
        else
        {
            g[hidden - 1] = new IntervalBounds(c, c);
            for (int m = hidden - 1; ; m--)
            {
                lines[m] = method == JacobianMethod.Crown
                    ? ProductRelaxation.Hull(sl[m], su[m], g[m].Lower, g[m].Upper)
                    : ProductRelaxation.Constant(sl[m], su[m], g[m].Lower, g[m].Upper);
                // Interval arithmetic for the next level, intersected with back-substitution.
                var (yl, yu) = ProductRelaxation.Interval(sl[m], su[m], g[m].Lower, g[m].Upper);
                var next = Affine(w[m], yl, yu);
                if (method != JacobianMethod.Ibp)
                {
                    long n = w[m].shape[1];
                    var eye = torch.eye(n, dtype: ScalarType.Float64, device: CPU).unsqueeze(0).expand(pairs, -1, -1);
                    var up = UpperBound(w, lines, c, m - 1, eye, null);
                    var lo = -UpperBound(w, lines, c, m - 1, -eye, null);
                    next = new IntervalBounds(maximum(next.Lower, lo), minimum(next.Upper, up));
                }
                if (m == 0) { input = next; break; }
                g[m - 1] = next;
            }
        }

        var magnitude = maximum(input.Lower.abs(), input.Upper.abs()).sum(1);
        var norm = magnitude;
        Tensor[]? sensitivity = null;
        if (method == JacobianMethod.Crown && hidden > 0)
        {
            // |g| ≤ chord over [gl, gu]: slope (gu+gl)/(gu−gl), through (gl, −gl); sign-stable entries exact.
            var (l, u) = (input.Lower, input.Upper);
            var width = (u - l).clamp_min(1e-300);
            var chordSlope = where(l >= 0, ones_like(l), where(u <= 0, -ones_like(l), (u + l) / width));
            var chordIntercept = where(l >= 0, zeros_like(l), where(u <= 0, zeros_like(l), -l - chordSlope * l));
            sensitivity = new Tensor[hidden];
            var chord = UpperBound(w, lines, c, -1, chordSlope.unsqueeze(1), sensitivity).squeeze(1) + chordIntercept.sum(1);
            norm = minimum(norm, chord);
        }
        return new JacobianBoundResult(norm, input, g, sensitivity);
    }

    /// <summary>Interval image of W_kᵀ·y for y in [yl, yu] ([pairs, n_k] → [pairs, n_{k−1}]).</summary>
    static IntervalBounds Affine(Tensor weight, Tensor yl, Tensor yu)
    {
        var center = ((yl + yu) / 2).matmul(weight);
        var radius = ((yu - yl) / 2).matmul(weight.abs());
        return new IntervalBounds(center - radius, center + radius);
    }

    /// <summary>
    /// Upper bound [pairs, specs] of a·g_m + bias (a: [pairs, specs, n_m], level m = −1 for the input gradient) by
    /// back-substitution through the lines of layers m+1 … H−1 down to the constant g_{H−1}. With
    /// <paramref name="capture"/> (single specification), each layer's coefficient of y_k is stored there.
    /// </summary>
    static Tensor UpperBound(Tensor[] w, LinearLines[] lines, Tensor c, int m, Tensor a, Tensor[]? capture)
    {
        int hidden = lines.Length;
        var coef = a;
        var total = zeros(a.shape[0], a.shape[1], dtype: ScalarType.Float64, device: CPU);
        for (int k = m + 1; k < hidden; k++)
        {
            using var scope = NewDisposeScope();
            var lambda = coef.matmul(w[k].t());
            if (capture is not null) capture[k] = lambda.squeeze(1).MoveToOuterDisposeScope();
            var pos = lambda.clamp_min(0);
            var neg = lambda.clamp_max(0);
            var ln = lines[k];
            var next = pos * ln.UpperSlope.unsqueeze(1) + neg * ln.LowerSlope.unsqueeze(1);
            total = (total + (pos * ln.UpperIntercept.unsqueeze(1) + neg * ln.LowerIntercept.unsqueeze(1)).sum(2)).MoveToOuterDisposeScope();
            coef = next.MoveToOuterDisposeScope();
        }
        return total + (coef * c.unsqueeze(1)).sum(2);
    }
}
