using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies.ConvNets;

/// <summary>How a conv-study network is trained.</summary>
/// <param name="Epochs">Passes over the training subset.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="LearningRate">Adam's step size.</param>
/// <param name="PgdSteps">0: natural training; otherwise each batch is replaced by its PGD images (l∞, these many steps).</param>
/// <param name="PgdEps">The PGD radius.</param>
public sealed record FamilyTraining(int Epochs = 2, int BatchSize = 64, double LearningRate = 1e-3, int PgdSteps = 0, double PgdEps = 0);

/// <summary>Adam on the cross-entropy, optionally on PGD images (Madry et al.), on the CPU.</summary>
public static class FamilyTrainer
{
    /// <summary>Trains in place and returns the seconds taken.</summary>
    public static double Train(FamilyNet net, Tensor images, Tensor labels, FamilyTraining options, Generator gen)
    {
        var sw = Stopwatch.StartNew();
        var adam = optim.Adam(net.Parameters(), lr: options.LearningRate);
        long n = images.shape[0];
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var order = randperm(n, generator: gen);
            for (long s = 0; s < n; s += options.BatchSize)
            {
                using var step = NewDisposeScope();
                var idx = order.narrow(0, s, Math.Min(options.BatchSize, n - s));
                var x = images.index_select(0, idx);
                var y = labels.index_select(0, idx);
                if (options.PgdSteps > 0) x = Pgd(net, x, y, options, gen);
                adam.zero_grad();
                var loss = nn.functional.cross_entropy(net.Forward(x, training: true), y);
                loss.backward();
                adam.step();
            }
        }
        return sw.Elapsed.TotalSeconds;
    }

    static Tensor Pgd(FamilyNet net, Tensor x, Tensor y, FamilyTraining options, Generator gen)
    {
        double eps = options.PgdEps, alpha = 2.5 * eps / options.PgdSteps;
        var adv = (x + (rand(x.shape, generator: gen) * 2 - 1) * eps).clamp(0, 1).detach();
        for (int k = 0; k < options.PgdSteps; k++)
        {
            adv.requires_grad_(true);
            var loss = nn.functional.cross_entropy(net.Forward(adv, training: false), y);
            var grad = autograd.grad(new[] { loss }, new[] { adv })[0];
            using (no_grad())
                adv = torch.minimum(torch.maximum(adv + alpha * grad.sign(), x - eps), x + eps).clamp(0, 1).detach();
        }
        return adv;
    }

    /// <summary>Predicted classes of <paramref name="images"/> (running statistics for BatchNorm).</summary>
    public static Tensor Predict(FamilyNet net, Tensor images)
    {
        using var _ = no_grad();
        return net.Forward(images, training: false).argmax(1);
    }
}
