using MathNet.Numerics.LinearAlgebra;
using Verify.Lipschitz;

namespace Verify.Training.Certification;

/// <summary>
/// Checks given LipSDP-Neuron multipliers (Fazlyab et al. 2019) on a dense ReLU network with MathNet: with pre-activations
/// u_k = G_k x_k, x_0 the input and x_{k+1} = ReLU(u_k) = w_k, the quadratic form
/// Q = ρ‖Δx_0‖² − ‖G_K Δw_{K−1}‖² − 2 Σ_k Δw_kᵀ T_k (G_k Δx_k − Δw_k) is positive semidefinite ⇒ √ρ is an l2 Lipschitz
/// bound (ReLU gives Δw_i (Δu_i − Δw_i) ≥ 0, so ρ‖Δx‖² − ‖Δy‖² ≥ Q ≥ 0). PSD is checked as a Cholesky factor of
/// P − τI, τ = d·1e-15·‖P‖_F above the factorisation's backward error.
/// </summary>
public static class LipSdpLmi
{
    /// <summary>The matrix P of Q over (Δx_0, Δw_0, …, Δw_{K−1}) for multipliers <paramref name="t"/> (one per hidden neuron, ≥ 0).</summary>
    public static Matrix<double> Build(DenseNetwork net, double[] t, double rho)
    {
        var layers = net.Layers;
        int n0 = net.InputSize;
        var offsets = new int[layers.Count];
        offsets[0] = n0;
        for (int k = 1; k < layers.Count; k++) offsets[k] = offsets[k - 1] + layers[k - 1].Outputs;
        int dim = offsets[^1];
        if (t.Length != dim - n0) throw new VerifyException($"{t.Length} multipliers for {dim - n0} hidden neurons");
        if (t.Any(v => !(v >= 0) || !double.IsFinite(v))) throw new VerifyException("multipliers must be finite and non-negative");
        var p = Matrix<double>.Build.Dense(dim, dim);
        for (int i = 0; i < n0; i++) p[i, i] = rho;
        for (int k = 0; k < layers.Count - 1; k++)
        {
            var g = Matrix<double>.Build.DenseOfArray(layers[k].Weight);
            int wOff = offsets[k], xOff = k == 0 ? 0 : offsets[k - 1];
            for (int i = 0; i < g.RowCount; i++)
            {
                double ti = t[wOff - n0 + i];
                p[wOff + i, wOff + i] += 2 * ti;
                for (int j = 0; j < g.ColumnCount; j++)
                {
                    double v = ti * g[i, j];
                    p[wOff + i, xOff + j] -= v;
                    p[xOff + j, wOff + i] -= v;
                }
            }
        }
        var last = Matrix<double>.Build.DenseOfArray(layers[^1].Weight);
        var gram = last.TransposeThisAndMultiply(last);
        int lOff = layers.Count == 1 ? 0 : offsets[^2];
        p.SetSubMatrix(lOff, lOff, p.SubMatrix(lOff, gram.RowCount, lOff, gram.ColumnCount) - gram);
        return p;
    }

    /// <summary>Whether P is positive semidefinite, by a Cholesky factor of P − τI.</summary>
    public static bool IsPositiveSemidefinite(Matrix<double> p)
    {
        double tau = p.RowCount * 1e-15 * p.FrobeniusNorm();
        var shifted = p - tau * Matrix<double>.Build.DenseIdentity(p.RowCount);
        for (int i = 0; i < shifted.RowCount; i++)
            if (!(shifted[i, i] > 0)) return false;
        try
        {
            return shifted.Cholesky().Factor.Diagonal().All(x => x > 0 && double.IsFinite(x));
        }
        catch (ArgumentException) { return false; }
    }

    /// <summary>
    /// The smallest √ρ of ρ = L²(1 + m), m ∈ {0, 1e-9, …, 1e-6·2}, whose matrix is PSD, i.e. a certified bound of at
    /// most L(1 + 1e-6); null when none is.
    /// </summary>
    public static double? Certify(DenseNetwork net, double[] t, double lipschitz)
    {
        foreach (var m in new[] { 0, 1e-9, 1e-8, 1e-7, 5e-7, 2e-6 })
        {
            double rho = lipschitz * lipschitz * (1 + m);
            if (IsPositiveSemidefinite(Build(net, t, rho))) return Math.Sqrt(rho);
        }
        return null;
    }
}
