using Verify.Training.Bounds;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Methods;

/// <summary>TRADES (Zhang et al. 2019): CE(f(x), y) + beta · KL(f(x) || f(x')), x' maximising the KL in the eps-ball.</summary>
public static class Trades
{
    /// <summary>The adversarial point: small Gaussian start, signed-gradient steps on the KL, projected.</summary>
    public static Tensor Attack(Func<Tensor, Tensor> logits, Tensor x, double eps, int steps, double stepSize, Generator? gen = null)
    {
        var (lo, hi) = PixelBall.Of(x, eps);
        Tensor target;
        using (torch.no_grad()) target = nn.functional.softmax(logits(x), 1).detach();
        var xa = torch.min(torch.max(x + 0.001 * torch.randn(x.shape, device: x.device, generator: gen), lo), hi).detach();
        for (int t = 0; t < steps; t++)
        {
            using var scope = torch.NewDisposeScope();
            var xv = xa.requires_grad_(true);
            var kl = Kl(target, logits(xv));
            var g = torch.autograd.grad(new[] { kl }, new[] { xv })[0];
            xa = torch.min(torch.max(xv.detach() + stepSize * g.sign(), lo), hi).detach().MoveToOuterDisposeScope();
        }
        return xa;
    }

    /// <summary>KL(p || softmax(logits)) summed over classes, averaged over the batch.</summary>
    public static Tensor Kl(Tensor p, Tensor logits) =>
        (p * (p.clamp_min(1e-12).log() - nn.functional.log_softmax(logits, 1))).sum(1).mean();
}
