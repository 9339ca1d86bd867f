using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Certification;

/// <summary>
/// LipSDP-Neuron for circular convolution chains with one multiplier per channel, checked frequency by frequency: the
/// quadratic form ρ‖Δx‖² − ‖QΔw_J‖² − 2Σ_k Δw_kᵀT_k(W_kΔw_{k−1} − Δw_k) is, by Parseval, the sum over the spatial
/// frequencies of Hermitian forms in the channel vectors (T_k per channel commutes with the circulant maps), so it is
/// positive semidefinite when each frequency's matrix of size Σ channels is; each is tested by a complex Cholesky
/// factor of M − τI, τ = d·1e-15·‖M‖_F (above the factorisation's and the float64 FFT's rounding).
/// When it holds, ‖QΔw_J‖ ≤ √ρ ‖Δx‖ on the network.
/// </summary>
public static class CirculantLmi
{
    /// <summary>The relative slacks tried for δ and for m (at most 1e-6).</summary>
    public static readonly double[] Slacks = { 0, 1e-8, 1e-7, 2e-7, 3e-7, 5e-7, 7e-7, 1e-6 };

    /// <summary>
    /// The pairs (δ, m) of <see cref="Slacks"/> with the bound factor (1+δ)^(K/2)·(1+m)^(1/2) they certify for K layers,
    /// smallest factor first.
    /// </summary>
    public static IEnumerable<(double Delta, double M, double Factor)> Candidates(int layers) =>
        Slacks.SelectMany(d => Slacks.Select(m => (d, m, Math.Pow(1 + d, layers / 2.0) * Math.Sqrt(1 + m)))).OrderBy(c => c.Item3);

    /// <summary>The multipliers c_k·T_k, c_k = (1+δ)^(K−k+1), for layers of the given sizes.</summary>
    public static double[] Weighted(double[] t, IReadOnlyList<long> sizes, double delta)
    {
        var weighted = new double[t.Length];
        long used = 0;
        for (int k = 1; k <= sizes.Count; k++)
        {
            double c = Math.Pow(1 + delta, sizes.Count - k + 1);
            for (long i = 0; i < sizes[k - 1]; i++, used++) weighted[used] = c * t[used];
        }
        return weighted;
    }

    /// <summary>
    /// The smallest √ρ that the per-channel multipliers <paramref name="t"/> (Σ channels of the ReLU convolutions)
    /// certify for the map from the input to <see cref="CirculantChain.Output"/>: the multipliers c_k·T_k,
    /// c_k = (1+δ)^(K−k+1), at ρ = L²(1+δ)^K(1+m), for the pairs of <see cref="Candidates"/>. The sandwich proof
    /// weighted by these decreasing c_k is strictly positive where the plain one is only semidefinite (channel
    /// expansion leaves directions with Δx = 0 on which it vanishes, and the float32 weights' rounding would make it
    /// indefinite there). Null when none passes.
    /// </summary>
    public static double? Certify(CirculantChain chain, double[] t, double lipschitz)
    {
        var channels = chain.Channels;
        long hidden = channels.Skip(1).Sum();
        if (t.Length != hidden) throw new VerifyException($"{t.Length} multipliers for {hidden} convolution channels");
        if (t.Any(v => !(v >= 0) || !double.IsFinite(v))) throw new VerifyException("multipliers must be finite and non-negative");
        int layers = channels.Length - 1;
        foreach (var (delta, m, factor) in Candidates(layers))
        {
            double rho = lipschitz * lipschitz * Math.Pow(1 + delta, layers) * (1 + m);
            if (Holds(chain, Weighted(t, channels.Skip(1).ToArray(), delta), rho)) return Math.Sqrt(rho);
        }
        return null;
    }

    /// <summary>Whether every frequency's matrix passes the Cholesky test at ρ.</summary>
    public static bool Holds(CirculantChain chain, double[] t, double rho)
    {
        using var scope = torch.NewDisposeScope();
        var mat = Matrices(chain, t, rho);
        long d = mat.shape[^1];
        var norm = torch.linalg.matrix_norm(mat).to(ScalarType.Float64); // Frobenius, per frequency
        var shift = (d * 1e-15 * norm).reshape(-1, 1, 1) * torch.eye(d, dtype: ScalarType.Float64);
        var (factor, info) = torch.linalg.cholesky_ex(mat - shift.to(mat.dtype));
        if (info.abs().sum().to(ScalarType.Int64).item<long>() != 0) return false;
        var diag = factor.diagonal(0, -2, -1).real;
        return diag.isfinite().all().item<bool>() && (diag > 0).all().item<bool>();
    }

    /// <summary>The Hermitian matrices [frequencies, d, d] of the quadratic form at ρ (d = Σ channels).</summary>
    public static Tensor Matrices(CirculantChain chain, double[] t, double rho)
    {
        var channels = chain.Channels;
        var offsets = new long[channels.Length + 1];
        for (int k = 0; k < channels.Length; k++) offsets[k + 1] = offsets[k] + channels[k];
        long d = offsets[^1];
        var first = chain.Convolutions[0];
        long f = first.shape[0] * first.shape[1];
        var c = ScalarType.ComplexFloat64;
        var mat = torch.zeros(new[] { f, d, d }, dtype: c);
        Block(mat, 0, 0, channels[0], channels[0]).copy_(rho * torch.eye(channels[0], dtype: c));
        long used = 0;
        for (int k = 1; k < channels.Length; k++)
        {
            var tk = torch.tensor(t.Skip((int)used).Take((int)channels[k]).ToArray(), dtype: ScalarType.Float64).to(c);
            used += channels[k];
            var w = chain.Convolutions[k - 1].reshape(f, channels[k], channels[k - 1]);
            var tw = tk.reshape(1, -1, 1) * w; // T_k W_k
            var (r0, r1, p0, p1) = (offsets[k], offsets[k + 1], offsets[k - 1], offsets[k]);
            Block(mat, r0, r0, r1 - r0, r1 - r0).copy_(torch.diag(2 * tk));
            Block(mat, r0, p0, r1 - r0, p1 - p0).copy_(-tw);
            Block(mat, p0, r0, p1 - p0, r1 - r0).copy_(-Models.Cayley.Adjoint(tw));
        }
        var q = chain.Output.reshape(f, chain.Output.shape[2], chain.Output.shape[3]);
        Block(mat, offsets[^2], offsets[^2], channels[^1], channels[^1]).sub_(Models.Cayley.Adjoint(q).matmul(q));
        return mat;
    }

    /// <summary>The view of rows [r, r + rows) and columns [col, col + cols) of every frequency's matrix.</summary>
    static Tensor Block(Tensor mat, long r, long col, long rows, long cols) => mat.narrow(1, r, rows).narrow(2, col, cols);

    /// <summary>The exact l2 operator norm of a circulant convolution: the largest singular value over its frequency blocks.</summary>
    public static double OperatorNorm(Tensor blocks)
    {
        using var scope = torch.NewDisposeScope();
        var b = blocks.reshape(-1, blocks.shape[2], blocks.shape[3]);
        return torch.linalg.svdvals(b).max().item<double>();
    }
}
