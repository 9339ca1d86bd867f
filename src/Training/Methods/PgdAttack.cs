using Verify.Training.Bounds;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Methods;

/// <summary>L-inf PGD on a classifier given as a function from images to logits.</summary>
public static class PgdAttack
{
    /// <summary>
    /// Madry et al.'s training attack: uniform random start in the eps-ball, <paramref name="steps"/> signed-gradient
    /// ascent steps of size <paramref name="stepSize"/> on the cross-entropy, each projected onto the ball and [0,1].
    /// </summary>
    public static Tensor Train(Func<Tensor, Tensor> logits, Tensor x, Tensor y, double eps, int steps, double stepSize, Generator? gen = null)
    {
        var (lo, hi) = PixelBall.Of(x, eps);
        var xa = torch.min(torch.max(x + (torch.rand(x.shape, device: x.device, generator: gen) * 2 - 1) * eps, lo), hi).detach();
        for (int t = 0; t < steps; t++)
        {
            using var scope = torch.NewDisposeScope();
            var xv = xa.requires_grad_(true);
            var loss = nn.functional.cross_entropy(logits(xv), y);
            var g = torch.autograd.grad(new[] { loss }, new[] { xv })[0];
            var next = torch.min(torch.max(xv.detach() + stepSize * g.sign(), lo), hi).detach();
            xa = next.MoveToOuterDisposeScope();
        }
        return xa;
    }

    /// <summary>
    /// Per image, whether it stayed correctly classified at every iterate of every restart ([n] bool): restarts
    /// from a uniform random point (the first from the image itself), steps on the largest wrong-class margin with a
    /// step size decaying from eps/4.
    /// </summary>
    public static Tensor Robust(Func<Tensor, Tensor> logits, Tensor x, Tensor y, double eps, int steps, int restarts, Generator? gen = null)
    {
        var (lo, hi) = PixelBall.Of(x, eps);
        var robust = torch.ones(x.shape[0], dtype: ScalarType.Bool, device: x.device);
        for (int r = 0; r < Math.Max(1, restarts); r++)
        {
            var xa = r == 0 ? x.detach().clone()
                : torch.min(torch.max(x + (torch.rand(x.shape, dtype: x.dtype, device: x.device, generator: gen) * 2 - 1) * eps, lo), hi).detach();
            for (int t = 0; t <= steps; t++)
            {
                using var scope = torch.NewDisposeScope();
                var xv = xa.requires_grad_(true);
                var z = logits(xv);
                var isLabel = nn.functional.one_hot(y, z.shape[1]).to_type(ScalarType.Bool);
                var other = torch.where(isLabel, torch.full_like(z, double.NegativeInfinity), z).max(1).values;
                var margin = other - z.gather(1, y.unsqueeze(1)).squeeze(1);
                var next = robust.logical_and(margin.detach() < 0);
                robust = next.MoveToOuterDisposeScope();
                if (t == steps) break;
                var g = torch.autograd.grad(new[] { margin.sum() }, new[] { xv })[0];
                double size = eps * (0.25 * (1 - (double)t / steps) + 0.01);
                xa = torch.min(torch.max(xv.detach() + size * g.sign(), lo), hi).detach().MoveToOuterDisposeScope();
            }
        }
        return robust;
    }
}
