using System.Globalization;
using Verify.Graph;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using Verify.Operators;
using Verify.Training.Export;

namespace Verify.Training.Certification;

/// <summary>
/// A sound global l2 Lipschitz bound of an imported classifier's logit map (ReLU nets, chain-shaped, densified):
/// LipSDP-Neuron (certified multipliers) and the product of spectral norms; a claimed bound (an LBDN's γ) is checked
/// against LipSDP and refused unless LipSDP ≤ γ(1 + 1e-6).
/// </summary>
public static class L2Lipschitz
{
    /// <summary>The relative slack allowed between LipSDP and a claimed bound (float32 weights, solver tolerance).</summary>
    public const double ClaimTolerance = 1e-6;

    /// <summary>
    /// Computes the bound of <paramref name="graph"/>; an LBDN file's <paramref name="metadata"/> (its γ and multipliers)
    /// is checked in the LipSDP-Neuron LMI (<see cref="LipSdpLmi"/>) and counts only when the check passes.
    /// </summary>
    public static L2Bound Bound(ComputationGraph graph, L2BoundOptions options, LbdnMetadata? metadata = null)
    {
        if (CirculantChain.StartsCircular(graph)) return CircularBound(graph, options, metadata);
        var dense = DenseNetwork.FromGraph(graph);
        if (dense.Layers.Any(l => l.Activation is not (null or Relu)))
            throw new VerifyException("l2 certification supports ReLU networks only");
        double naive = NaiveLipschitz.SpectralNormProduct(dense);
        double? lmi = null;
        if (metadata is not null && options.Method != L2BoundMethod.Naive && metadata.Multipliers.Length == dense.Layers.Take(dense.Layers.Count - 1).Sum(l => l.Outputs))
            lmi = LipSdpLmi.Certify(dense, metadata.Multipliers, options.Claimed ?? metadata.Gamma);
        bool lmiConfirms = lmi is not null && (options.Claimed is null || lmi <= options.Claimed * (1 + ClaimTolerance));
        bool runSdp = options.Method == L2BoundMethod.LipSdp || (!lmiConfirms && (options.Method == L2BoundMethod.Auto || options.Claimed is not null));
        double? sdp = null;
        double seconds = 0;
        if (runSdp)
        {
            var result = LipSdpSolver.Solve(dense, new LipSdpOptions(LipSdpForm.Neuron, TimeLimitSeconds: options.LipSdpSeconds));
            sdp = result.Upper;
            seconds = result.Seconds;
        }
        var inv = CultureInfo.InvariantCulture;
        if (options.Claimed is { } claimed)
        {
            if (!(claimed > 0)) throw new VerifyException($"--lipschitz must be positive, got {claimed}");
            if (!(sdp <= claimed * (1 + ClaimTolerance)) && !lmiConfirms)
                throw new VerifyException(string.Format(inv,
                    "the claimed Lipschitz bound {0:G6} is not confirmed: LipSDP certifies {1:G6} after {2:F0} s (needs <= {0:G6}*(1+1e-6)); refusing to use it",
                    claimed, sdp ?? double.PositiveInfinity, seconds));
        }
        var candidates = new List<(double Value, string Source)>();
        if (options.Method != L2BoundMethod.LipSdp) candidates.Add((naive, "product of spectral norms"));
        if (sdp is { } s && double.IsFinite(s) && options.Method != L2BoundMethod.Naive) candidates.Add((s, "LipSDP-Neuron"));
        if (lmi is { } l) candidates.Add((l, string.Format(inv, "LBDN gamma {0:G6}: LipSDP-Neuron LMI with the file's multipliers, Cholesky-verified", metadata!.Gamma)));
        if (options.Claimed is { } c && (sdp <= c || lmi <= c))
            candidates.Add((c, lmi <= c ? string.Format(inv, "claimed {0:G6}, confirmed by the LipSDP-Neuron LMI with the file's multipliers", c)
                : string.Format(inv, "claimed {0:G6}, confirmed by LipSDP-Neuron {1:G6}", c, sdp)));
        if (candidates.Count == 0)
            throw new VerifyException(string.Format(inv, "LipSDP certified no bound in {0:F0} s; use --lipschitz-bound auto or naive", seconds));
        var best = candidates.MinBy(t => t.Value);
        return new L2Bound(best.Value, best.Source, naive, sdp, seconds, options.Claimed, lmi);
    }

    /// <summary>
    /// The bound of a network that starts with circular convolutions (<see cref="CirculantChain"/>): the product of the
    /// exact operator norms (per-frequency SVD for the convolutions, spectral norms for the dense layers), and, with LBDN
    /// metadata, the LMI certificate split at the last convolution's output: √ρ₁ from the per-frequency check
    /// (<see cref="CirculantLmi"/>, per-channel multipliers) times √ρ₂ from the dense LipSDP-Neuron check on its Schur
    /// complement (<see cref="ReducedLipSdpLmi"/>),
    /// each tried at √γ. The LipSDP solver does not run (the dense form of the convolutions is too large).
    /// </summary>
    static L2Bound CircularBound(ComputationGraph graph, L2BoundOptions options, LbdnMetadata? metadata)
    {
        var chain = CirculantChain.From(graph);
        if (chain.Dense.Layers.Any(l => l.Activation is not (null or Relu)))
            throw new VerifyException("l2 certification supports ReLU networks only");
        if (options.Method == L2BoundMethod.LipSdp)
            throw new VerifyException("the LipSDP solver cannot bound circular convolutions of this size; use --lipschitz-bound auto (the per-frequency LMI check) or naive");
        double denseNaive = NaiveLipschitz.SpectralNormProduct(chain.Dense);
        double naive = chain.Convolutions.Append(chain.Output).Aggregate(denseNaive, (a, b) => a * CirculantLmi.OperatorNorm(b));
        double? lmi = null;
        long convHidden = chain.Channels.Skip(1).Sum();
        long denseHidden = chain.Dense.Layers.Take(chain.Dense.Layers.Count - 1).Sum(l => (long)l.Outputs);
        if (metadata is not null && options.Method != L2BoundMethod.Naive && metadata.Multipliers.Length == convHidden + denseHidden)
        {
            double half = Math.Sqrt(options.Claimed ?? metadata.Gamma);
            var convPart = CirculantLmi.Certify(chain, metadata.Multipliers.Take((int)convHidden).ToArray(), half);
            var densePart = chain.Dense.Layers.Count == 1 ? denseNaive
                : ReducedLipSdpLmi.Certify(chain.Dense, metadata.Multipliers.Skip((int)convHidden).ToArray(), half);
            if (convPart is { } a && densePart is { } b) lmi = a * b;
        }
        var inv = CultureInfo.InvariantCulture;
        if (options.Claimed is { } claimed)
        {
            if (!(claimed > 0)) throw new VerifyException($"--lipschitz must be positive, got {claimed}");
            if (!(lmi <= claimed * (1 + ClaimTolerance)) && !(naive <= claimed))
                throw new VerifyException(string.Format(inv,
                    "the claimed Lipschitz bound {0:G6} is not confirmed: the per-frequency LMI check with the file's multipliers {1}, the product of operator norms is {2:G6}; refusing to use it",
                    claimed, lmi is { } v ? string.Format(inv, "certifies {0:G8}", v) : "certifies nothing within 1e-6", naive));
        }
        var candidates = new List<(double Value, string Source)> { (naive, "product of exact operator norms (per-frequency SVD for the circular convolutions)") };
        if (lmi is { } l) candidates.Add((l, string.Format(inv, "LBDN gamma {0:G6}: per-frequency LipSDP-Neuron LMI for the circular convolutions times the dense LMI, with the file's multipliers, Cholesky-verified", metadata!.Gamma)));
        if (options.Claimed is { } c && (lmi <= c * (1 + ClaimTolerance) || naive <= c))
            candidates.Add((Math.Max(c, Math.Min(lmi ?? double.PositiveInfinity, naive)), string.Format(inv, "claimed {0:G6}, confirmed by {1}", c,
                lmi <= c * (1 + ClaimTolerance) ? "the per-frequency LMI with the file's multipliers" : "the product of operator norms")));
        var best = candidates.MinBy(t => t.Value);
        return new L2Bound(best.Value, best.Source, naive, null, 0, options.Claimed, lmi);
    }
}
