using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>
/// l2 PGD within the ball ‖x' − x‖₂ ≤ r intersected with [0,1] (the ball projection, then clamping, which keeps the
/// point in the ball because x ∈ [0,1]).
/// </summary>
public static class L2Pgd
{
    /// <summary>Projects <paramref name="xa"/> [n, ...] onto the r-ball around <paramref name="x"/>, then into [0,1].</summary>
    public static Tensor Project(Tensor xa, Tensor x, double r)
    {
        var d = xa - x;
        var norm = d.reshape(d.shape[0], -1).norm(1, keepdim: true).reshape(ShapeOfNorm(d));
        var factor = torch.clamp(r / (norm + 1e-12), max: 1.0);
        return (x + d * factor).clamp(0, 1);
    }

    /// <summary>Training attack: random start in the ball, <paramref name="steps"/> normalised-gradient steps on the cross-entropy.</summary>
    public static Tensor Train(Func<Tensor, Tensor> logits, Tensor x, Tensor y, double r, int steps, Generator? gen = null)
    {
        var xa = Project(x + RandomInBall(x, r, gen), x, r).detach();
        double size = 2.5 * r / Math.Max(1, steps);
        for (int t = 0; t < steps; t++)
        {
            using var scope = torch.NewDisposeScope();
            var xv = xa.requires_grad_(true);
            var loss = nn.functional.cross_entropy(logits(xv), y);
            var g = torch.autograd.grad(new[] { loss }, new[] { xv })[0];
            xa = Project(xv.detach() + size * Normalised(g), x, r).detach().MoveToOuterDisposeScope();
        }
        return xa;
    }

    /// <summary>
    /// Per image, whether it stayed correctly classified at every iterate of every restart ([n] bool): the first
    /// restart from the image itself, the others from random points of the ball; steps on the largest wrong-class
    /// margin, of size decaying from r/4.
    /// </summary>
    public static Tensor Robust(Func<Tensor, Tensor> logits, Tensor x, Tensor y, double r, int steps, int restarts, Generator? gen = null)
    {
        var robust = torch.ones(x.shape[0], dtype: ScalarType.Bool, device: x.device);
        for (int k = 0; k < Math.Max(1, restarts); k++)
        {
            var xa = k == 0 ? x.detach().clone() : Project(x + RandomInBall(x, r, gen), x, r).detach();
            for (int t = 0; t <= steps; t++)
            {
                using var scope = torch.NewDisposeScope();
                var xv = xa.requires_grad_(true);
                var z = logits(xv);
                var margin = Margins.WorstOther(z, y) - z.gather(1, y.unsqueeze(1)).squeeze(1);
                robust = robust.logical_and(margin.detach() < 0).MoveToOuterDisposeScope();
                if (t == steps) break;
                var g = torch.autograd.grad(new[] { margin.sum() }, new[] { xv })[0];
                double size = r * (0.25 * (1 - (double)t / steps) + 0.01);
                xa = Project(xv.detach() + size * Normalised(g), x, r).detach().MoveToOuterDisposeScope();
            }
        }
        return robust;
    }

    static Tensor Normalised(Tensor g)
    {
        var norm = g.reshape(g.shape[0], -1).norm(1, keepdim: true).reshape(ShapeOfNorm(g));
        return g / (norm + 1e-12);
    }

    static Tensor RandomInBall(Tensor x, double r, Generator? gen)
    {
        var d = torch.randn(x.shape, dtype: x.dtype, device: x.device, generator: gen);
        var u = torch.rand(new long[] { x.shape[0] }, dtype: x.dtype, device: x.device, generator: gen).reshape(ShapeOfNorm(x));
        return Normalised(d) * u * r;
    }

    static long[] ShapeOfNorm(Tensor t) => new[] { t.shape[0] }.Concat(Enumerable.Repeat(1L, (int)t.dim() - 1)).ToArray();
}
