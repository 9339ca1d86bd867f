using TorchSharp;
using Verify.Graph;
using Verify.Training.Certification;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>Running totals of <see cref="ExactCompletion"/>: images MIP-certified, MIP-refuted, left open, and the MIP time.</summary>
public sealed class ExactTally
{
    /// <summary>Images the MIP proved robust.</summary>
    public int Certified { get; set; }
    /// <summary>Images the MIP found a counterexample region for.</summary>
    public int Refuted { get; set; }
    /// <summary>Images the MIP did not decide in time.</summary>
    public int Open { get; set; }
    /// <summary>Seconds spent in MIPs.</summary>
    public double Seconds { get; set; }
}

/// <summary>
/// Completes the engine certifier's answers on a two-output classifier: every image that is PGD-robust but not
/// certified by the bounds is decided by the exact MIP (<see cref="MipCertifier"/>).
/// </summary>
public static class ExactCompletion
{
    /// <summary>
    /// The answers with the MIP-certified images added; <paramref name="images"/> [n, ...] are the batch's images,
    /// <paramref name="graph"/> the model (any device and dtype; the MIP reads it in float64).
    /// </summary>
    public static CertifiedImages Run(ComputationGraph graph, CertifiedImages answers, Tensor images, double eps, double seconds, ExactTally tally)
    {
        var certified = (bool[])answers.Certified.Clone();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < certified.Length; i++)
        {
            if (certified[i] || !answers.PgdRobust[i]) continue;
            using var scope = torch.NewDisposeScope();
            var x = images[i].reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
            switch (MipCertifier.Decide(graph, x, (int)answers.Labels[i], eps, seconds))
            {
                case MipCertifier.Answer.Certified: certified[i] = true; tally.Certified++; break;
                case MipCertifier.Answer.Refuted: tally.Refuted++; break;
                default: tally.Open++; break;
            }
        }
        tally.Seconds += watch.Elapsed.TotalSeconds;
        return answers with { Certified = certified };
    }
}
