using Verify.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>Clean, l2-PGD and margin-certified accuracy (fractions) and the per-image certified radii.</summary>
/// <param name="Clean">Clean accuracy.</param>
/// <param name="Pgd">l2 PGD accuracy (NaN when not run).</param>
/// <param name="Certified">Certified accuracy at the radius.</param>
/// <param name="Count">Images.</param>
/// <param name="Radii">Certified radius of every image (≤ 0: misclassified).</param>
/// <param name="Inconsistent">Images certified yet attacked (must be 0).</param>
/// <param name="Attacked">Images attacked (the first ones of the set).</param>
/// <param name="CleanAttacked">Clean accuracy on the attacked images.</param>
/// <param name="CertifiedAttacked">Certified accuracy on the attacked images (≤ <see cref="Pgd"/> ≤ <see cref="CleanAttacked"/>).</param>
public sealed record L2Accuracy(double Clean, double Pgd, double Certified, long Count, double[] Radii, long Inconsistent,
    long Attacked, double CleanAttacked, double CertifiedAttacked);

/// <summary>Evaluates a classifier with a known l2 Lipschitz bound of its logit map.</summary>
public static class L2Evaluation
{
    /// <summary>
    /// Accuracies on <paramref name="set"/> in batches at l2 radius <paramref name="radius"/> with Lipschitz bound
    /// <paramref name="lipschitz"/>; PGD with <paramref name="pgdSteps"/> steps (0: skipped, NaN) on
    /// <paramref name="attackLogits"/> (default: <paramref name="logits"/>, e.g. a float32 copy), only on the first
    /// <paramref name="pgdCount"/> images (default: all; the PGD accuracy is over those).
    /// </summary>
    public static L2Accuracy Run(Func<Tensor, Tensor> logits, ImageSet set, double lipschitz, double radius, int pgdSteps,
        int restarts = 1, int batch = 500, long seed = 7, Func<Tensor, Tensor>? attackLogits = null, long? pgdCount = null)
    {
        attackLogits ??= logits;
        long attacked = Math.Min(pgdCount ?? set.Count, set.Count);
        long clean = 0, robust = 0, certified = 0, inconsistent = 0, n = set.Count, cleanA = 0, certA = 0;
        var radii = new List<double>();
        var gen = new Generator((ulong)seed, set.Images.device);
        for (long s = 0; s < n; s += batch)
        {
            using var scope = torch.NewDisposeScope();
            long m = Math.Min(batch, n - s);
            var x = set.Images.narrow(0, s, m);
            var y = set.Labels.narrow(0, s, m);
            Tensor margin;
            using (torch.no_grad()) margin = Margins.Of(logits(x), y);
            var correct = margin > 0;
            var cert = Margins.Certified(margin, lipschitz, radius);
            clean += correct.sum().item<long>();
            certified += cert.sum().item<long>();
            radii.AddRange(Margins.CertifiedRadius(margin, lipschitz).to(ScalarType.Float64).cpu().data<double>().ToArray());
            if (pgdSteps > 0 && s < attacked)
            {
                long k = Math.Min(m, attacked - s);
                (x, y, correct, cert) = (x.narrow(0, 0, k), y.narrow(0, 0, k), correct.narrow(0, 0, k), cert.narrow(0, 0, k));
                var rob = L2Pgd.Robust(attackLogits, x.to(ScalarType.Float32), y, radius, pgdSteps, restarts, gen).logical_and(correct);
                robust += rob.sum().item<long>();
                cleanA += correct.sum().item<long>();
                certA += cert.sum().item<long>();
                inconsistent += cert.logical_and(rob.logical_not()).sum().item<long>();
            }
        }
        return new L2Accuracy((double)clean / n, pgdSteps > 0 ? (double)robust / Math.Max(1, attacked) : double.NaN, (double)certified / n, n,
            radii.ToArray(), inconsistent, pgdSteps > 0 ? attacked : 0, (double)cleanA / Math.Max(1, attacked), (double)certA / Math.Max(1, attacked));
    }

    /// <summary>The certified accuracy at each radius of <paramref name="radii"/> from per-image certified radii.</summary>
    public static double[] Curve(double[] imageRadii, double[] radii) =>
        radii.Select(r => imageRadii.Length == 0 ? 0 : imageRadii.Count(v => v > r && v > 0) / (double)imageRadii.Length).ToArray();
}
