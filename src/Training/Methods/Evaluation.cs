using Verify.Training.Bounds;
using Verify.Training.Data;
using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Methods;

/// <summary>Clean, PGD and IBP-certified accuracy of a network on a set (fractions in [0,1]).</summary>
public sealed record Accuracy(double Clean, double Pgd, double Certified, long Count);

/// <summary>Evaluates a <see cref="Network"/> in evaluation mode with its own (training-side) IBP.</summary>
public static class Evaluation
{
    /// <summary>
    /// Accuracies on <paramref name="set"/> in batches; PGD with <paramref name="pgdSteps"/> steps and
    /// <paramref name="restarts"/> restarts (0 steps: PGD skipped, reported as NaN). An image counts as PGD-robust or
    /// certified only when it is also classified correctly.
    /// </summary>
    public static Accuracy Run(Network net, ImageSet set, double eps, int pgdSteps, int restarts = 1, int batch = 500)
    {
        long clean = 0, robust = 0, certified = 0, n = set.Count;
        var state = RunState.Eval();
        var gen = new Generator(7, net.Device);
        for (long s = 0; s < n; s += batch)
        {
            using var scope = torch.NewDisposeScope();
            long m = Math.Min(batch, n - s);
            var x = set.Images.narrow(0, s, m);
            var y = set.Labels.narrow(0, s, m);
            Tensor correct, cert;
            using (torch.no_grad())
            {
                correct = net.Forward(x, state).argmax(1).eq(y);
                cert = MarginSpec.Certified(IbpPass.MarginLower(net, x, y, eps, state), y).logical_and(correct);
            }
            clean += correct.sum().item<long>();
            certified += cert.sum().item<long>();
            if (pgdSteps > 0)
                robust += PgdAttack.Robust(z => net.Forward(z, state), x, y, eps, pgdSteps, restarts, gen).logical_and(correct).sum().item<long>();
        }
        return new Accuracy((double)clean / n, pgdSteps > 0 ? (double)robust / n : double.NaN, (double)certified / n, n);
    }
}

/// <summary>Re-estimates BatchNorm running statistics from training images (a forward pass, no gradients).</summary>
public static class BatchNormCalibration
{
    /// <summary>Averages the batch statistics of up to <paramref name="count"/> images of <paramref name="set"/>.</summary>
    public static void Run(Network net, ImageSet set, long count = 10000, int batch = 500)
    {
        if (!net.Layers.Any(l => l is BatchNormLayer)) return;
        using var noGrad = torch.no_grad();
        long n = Math.Min(count, set.Count);
        int k = 0;
        for (long s = 0; s + batch <= n || (s == 0 && n > 0); s += batch)
        {
            using var scope = torch.NewDisposeScope();
            net.Forward(set.Images.narrow(0, s, Math.Min(batch, n - s)), RunState.Calibration(++k));
        }
    }
}
