using Verify.Bounds;
using Verify.Graph;
using Verify.Training.Bounds;
using Verify.Training.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Certification;

/// <summary>
/// Clean, PGD and certified accuracy of an imported ONNX classifier: the forward pass and the certified bounds are
/// the verification engine's (<see cref="BoundComputer"/>) on the imported graph, independent of the training code.
/// An image is certified when every margin y_label - y_j has a positive lower bound over the clipped eps-ball.
/// </summary>
/// <remarks>The graph must already be on <paramref name="device"/> in <paramref name="dtype"/> (see ComputationGraph.To).</remarks>
public sealed class EngineCertifier(ComputationGraph graph, CertifyOptions options, Device device, ScalarType dtype)
{
    // The attack needs no extra precision: it runs in float32 (its finds are only used as evidence against certification).
    readonly ComputationGraph attackGraph = dtype == ScalarType.Float32 ? graph : graph.To(device, ScalarType.Float32);

    /// <summary>The counts for images [n, ...] (any shape with n * InputSize values) and labels [n].</summary>
    public CertifyCounts Run(Tensor images, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var (_, correct, robust, certified) = Answers(images, labels, seed: 11);
        long inconsistent = certified.logical_and(robust.logical_not()).sum().item<long>();
        return new CertifyCounts(labels.shape[0], correct.sum().item<long>(), robust.sum().item<long>(), certified.sum().item<long>(), inconsistent);
    }

    /// <summary>
    /// Per-image answers for images [n, ...] and labels [n] that are the test images from <paramref name="firstIndex"/> on;
    /// the attack's random starts are seeded by <paramref name="firstIndex"/>, so a batch gets the same answers in any process.
    /// </summary>
    public CertifiedImages Images(Tensor images, Tensor labels, long firstIndex)
    {
        using var scope = torch.NewDisposeScope();
        var (y, correct, robust, certified) = Answers(images, labels, seed: 11 + firstIndex);
        static bool[] Flags(Tensor t) => t.cpu().data<bool>().ToArray();
        return new CertifiedImages(firstIndex, y.cpu().to(ScalarType.Int64).data<long>().ToArray(), Flags(correct), Flags(robust), Flags(certified));
    }

    /// <summary>Labels, clean correctness, PGD robustness and certification ([n] each) of images [n, ...] with labels [n].</summary>
    (Tensor Labels, Tensor Correct, Tensor Robust, Tensor Certified) Answers(Tensor images, Tensor labels, long seed)
    {
        long n = labels.shape[0];
        var x = images.to(dtype, device).reshape(ComputationGraph.Batched(n, graph.InputShape));
        var y = labels.to(device);
        Tensor logits;
        using (torch.no_grad()) logits = Logits(x);
        var correct = logits.argmax(1).eq(y);
        var robust = Robust(x.to(ScalarType.Float32), y, seed).logical_and(correct);
        return (y, correct, robust, Certify(x, y, correct, robust));
    }

    /// <summary>
    /// Per image, whether the engine's untargeted PGD (<see cref="Attack.PgdAttack"/>, every step for every image) found
    /// no misclassified point in its clipped eps-ball ([n] bool).
    /// </summary>
    Tensor Robust(Tensor x, Tensor y, long seed)
    {
        var (lo, hi) = PixelBall.Of(x.reshape(x.shape[0], -1), options.Eps);
        long classes = attackGraph.Nodes[attackGraph.OutputIndex].Numel;
        var spec = Verification.SpecBatch.Robustness(lo, hi, y, (int)classes);
        // Step sizes as a share of the box width 2·eps: from eps/4, as the training-side evaluation attack.
        var attack = new Attack.AttackOptions(options.PgdSteps, options.PgdRestarts, InitialStep: 0.125, Seed: seed,
            PerDisjunct: false, StopAtFirst: false);
        var broken = torch.zeros(y.shape[0], dtype: ScalarType.Bool, device: y.device);
        var found = Attack.PgdAttack.Run(attackGraph, spec, attack).Where(c => c.Violation <= 0).Select(c => (long)c.Case).ToArray();
        if (found.Length > 0) broken.index_fill_(0, torch.tensor(found, device: y.device), true);
        return broken.logical_not();
    }

    /// <summary>
    /// Per image, whether the engine's bounds prove robustness ([n] bool): IBP on every correctly classified image
    /// (cheap, and a check against the attack), CROWN only on the PGD-robust ones IBP leaves open.
    /// </summary>
    public Tensor Certify(Tensor x, Tensor y, Tensor correct, Tensor robust)
    {
        var result = torch.zeros(y.shape[0], dtype: ScalarType.Bool, device: y.device);
        if (options.Method != CertifyMethod.Crown)
            result = Bounded(x, y, correct, BoundOptions.Ibp, BoundMethod.Ibp, options.BatchSize);
        if (options.Method != CertifyMethod.Ibp)
        {
            var open = robust.logical_and(result.logical_not());
            result = result.logical_or(Bounded(x, y, open, BoundOptions.Crown, BoundMethod.Crown, options.CrownBatchSize));
        }
        return result;
    }

    Tensor Bounded(Tensor x, Tensor y, Tensor which, BoundOptions bo, BoundMethod method, int batch)
    {
        var result = torch.zeros(y.shape[0], dtype: ScalarType.Bool, device: y.device);
        var idx = which.nonzero().reshape(-1);
        long m = idx.shape[0];
        for (long s = 0; s < m; s += batch)
        {
            using var scope = torch.NewDisposeScope();
            var part = idx.narrow(0, s, Math.Min(batch, m - s));
            var xs = x.index_select(0, part);
            var ys = y.index_select(0, part);
            var (lo, hi) = PixelBall.Of(xs, options.Eps);
            var c = MarginSpec.Matrix(ys, graph.OutputSize).to(x.dtype);
            var lower = BoundComputer.SpecLower(graph, BoundComputer.Intermediate(graph, new IntervalBounds(lo, hi), bo), c,
                torch.zeros(c.shape[0], c.shape[1], dtype: x.dtype, device: x.device), method);
            // NaN bounds never certify.
            var ok = MarginSpec.Certified(torch.where(lower.isnan(), torch.full_like(lower, -1), lower), ys);
            result.index_put_(ok, part);
        }
        return result;
    }

    Tensor Logits(Tensor x) => graph.Forward(x).reshape(x.shape[0], -1);
}
