using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Adam ascent on a few leaf tensors, each projected back onto its feasible box after every step (alpha in [0,1],
/// beta &gt;= 0). The moments live as long as the optimiser; dispose it to free them.
/// </summary>
public sealed class ProjectedAdam : IDisposable
{
    readonly Tensor[] parameters;
    readonly double[] rates;
    readonly (double Lo, double Hi)[] boxes;
    readonly Tensor[] m;
    readonly Tensor[] v;
    int t;
    const double B1 = 0.9, B2 = 0.999, Eps = 1e-8;

    /// <summary>Creates the optimiser for leaf tensors (requires_grad) with a learning rate and a feasible interval each.</summary>
    public ProjectedAdam(IReadOnlyList<(Tensor Parameter, double Rate, double Lo, double Hi)> entries)
    {
        parameters = entries.Select(e => e.Parameter).ToArray();
        rates = entries.Select(e => e.Rate).ToArray();
        boxes = entries.Select(e => (e.Lo, e.Hi)).ToArray();
        m = parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
        v = parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>One ascent step on <paramref name="objective"/> (a scalar to maximise), followed by projection.</summary>
    public void Ascend(Tensor objective)
    {
        if (parameters.Length == 0) return;
        var grads = torch.autograd.grad(new[] { objective }, parameters, allow_unused: true);
        t++;
        using var noGrad = torch.no_grad();
        double c1 = 1 - Math.Pow(B1, t), c2 = 1 - Math.Pow(B2, t);
        for (int i = 0; i < parameters.Length; i++)
        {
            var g = grads[i];
            if (g is null || g.IsInvalid) continue;
            m[i].mul_(B1).add_(g, alpha: 1 - B1);
            v[i].mul_(B2).addcmul_(g, g, value: 1 - B2);
            using var step = m[i] / c1 / ((v[i] / c2).sqrt() + Eps);
            parameters[i].add_(step, alpha: rates[i]);
            var (lo, hi) = boxes[i];
            if (double.IsPositiveInfinity(hi)) parameters[i].clamp_min_(lo);
            else parameters[i].clamp_(lo, hi);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var x in m.Concat(v)) x.Dispose();
    }
}
