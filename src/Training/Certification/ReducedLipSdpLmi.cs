using TorchSharp;
using Verify.Lipschitz;
using static TorchSharp.torch;

namespace Verify.Training.Certification;

/// <summary>
/// Checks LipSDP-Neuron multipliers on a dense ReLU chain with many inputs: the LMI's input block is ρI, so it is
/// positive semidefinite iff its Schur complement R = M_hidden − T₁W₁W₁ᵀT₁/ρ (size Σ hidden) is; R is tested by a
/// Cholesky factor of R − τI, with τ = d·1e-15·‖R‖_F plus the float64 Gram product's rounding bound
/// (n+2)·1.2e-16·‖T₁W₁‖_F²/ρ. The multipliers are weighted c_k·T_k, c_k = (1+δ)^(K−k+1), at ρ = L²(1+δ)^K(1+m)
/// (the sandwich proof weighted this way is strictly positive), for the pairs of <see cref="CirculantLmi.Candidates"/>.
/// </summary>
public static class ReducedLipSdpLmi
{
    /// <summary>The smallest certified √ρ at most about L(1 + 1e-6), or null; <paramref name="t"/>: one multiplier per hidden neuron.</summary>
    public static double? Certify(DenseNetwork net, double[] t, double lipschitz)
    {
        var hidden = net.Layers.Take(net.Layers.Count - 1).Select(l => (long)l.Outputs).ToArray();
        if (hidden.Length == 0) throw new VerifyException("the dense part has no hidden layer");
        if (t.Length != hidden.Sum()) throw new VerifyException($"{t.Length} multipliers for {hidden.Sum()} hidden neurons");
        if (t.Any(v => !(v >= 0) || !double.IsFinite(v))) throw new VerifyException("multipliers must be finite and non-negative");
        using var scope = torch.NewDisposeScope();
        var w = net.Layers.Select(l => Matrix(l.Weight)).ToArray();
        var gram = w[0].matmul(w[0].t()); // W₁W₁ᵀ, once
        int layers = hidden.Length;
        foreach (var (delta, m, factor) in CirculantLmi.Candidates(layers))
        {
            double rho = lipschitz * lipschitz * Math.Pow(1 + delta, layers) * (1 + m);
            if (Holds(w, gram, hidden, CirculantLmi.Weighted(t, hidden, delta), rho)) return Math.Sqrt(rho);
        }
        return null;
    }

    static bool Holds(Tensor[] w, Tensor gram, long[] hidden, double[] t, double rho)
    {
        using var scope = torch.NewDisposeScope();
        var offsets = new long[hidden.Length + 1];
        for (int k = 0; k < hidden.Length; k++) offsets[k + 1] = offsets[k] + hidden[k];
        long d = offsets[^1];
        var r = torch.zeros(new[] { d, d }, dtype: ScalarType.Float64);
        var tk = new Tensor[hidden.Length];
        for (int k = 0; k < hidden.Length; k++)
        {
            tk[k] = torch.tensor(t.Skip((int)offsets[k]).Take((int)hidden[k]).ToArray(), dtype: ScalarType.Float64);
            r.narrow(0, offsets[k], hidden[k]).narrow(1, offsets[k], hidden[k]).copy_(torch.diag(2 * tk[k]));
            if (k == 0) continue;
            var tw = tk[k].unsqueeze(1) * w[k]; // T_k W_k [h_k, h_{k−1}]
            r.narrow(0, offsets[k], hidden[k]).narrow(1, offsets[k - 1], hidden[k - 1]).copy_(-tw);
            r.narrow(0, offsets[k - 1], hidden[k - 1]).narrow(1, offsets[k], hidden[k]).copy_(-tw.t());
        }
        var last = w[^1];
        r.narrow(0, offsets[^2], hidden[^1]).narrow(1, offsets[^2], hidden[^1]).sub_(last.t().matmul(last));
        r.narrow(0, 0, hidden[0]).narrow(1, 0, hidden[0]).sub_(tk[0].unsqueeze(1) * gram * tk[0].unsqueeze(0) / rho);
        long n = w[0].shape[1];
        // |computed − exact| of W₁W₁ᵀ ≤ n·u·|W₁||W₁|ᵀ entrywise, so in norm ≤ n·u·‖W₁‖_F²; scaled by T₁ on both sides
        double rounding = (n + 2) * 1.2e-16 * Math.Pow((tk[0].unsqueeze(1) * w[0]).norm().item<double>(), 2) / rho;
        double shift = d * 1e-15 * r.norm().item<double>() + rounding;
        var (factor, info) = torch.linalg.cholesky_ex(r - shift * torch.eye(d, dtype: ScalarType.Float64));
        if (info.to(ScalarType.Int64).item<long>() != 0) return false;
        var diag = factor.diagonal();
        return diag.isfinite().all().item<bool>() && (diag > 0).all().item<bool>();
    }

    static Tensor Matrix(double[,] a)
    {
        var data = new double[a.Length];
        Buffer.BlockCopy(a, 0, data, 0, data.Length * sizeof(double));
        return torch.tensor(data, dtype: ScalarType.Float64).reshape(a.GetLength(0), a.GetLength(1));
    }
}
