using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>The naive global l2 Lipschitz bound: the product of the layers' spectral norms (activations 1-Lipschitz).</summary>
public static class NaiveLipschitz
{
    /// <summary>Product over layers of ||W_k||_2 (largest singular value, MathNet SVD).</summary>
    public static double SpectralNormProduct(DenseNetwork network)
    {
        double product = 1;
        foreach (var layer in network.Layers) product *= SpectralNorm(layer.Weight);
        return product;
    }

    /// <summary>The largest singular value of a matrix.</summary>
    public static double SpectralNorm(double[,] weight) =>
        Matrix<double>.Build.DenseOfArray(weight).Svd(computeVectors: false).S[0];
}
