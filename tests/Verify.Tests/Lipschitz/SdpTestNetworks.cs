using MathNet.Numerics.LinearAlgebra;
using Verify.Lipschitz;

namespace Verify.Tests.Lipschitz;

/// <summary>Independent helpers for the LipSDP tests: random networks, the paper's matrix, sampled Jacobian norms.</summary>
static class SdpTestNetworks
{
    /// <summary>A random bias-free ReLU network with the given widths.</summary>
    public static DenseNetwork Random(int[] widths, int seed)
    {
        var rng = new Random(seed);
        var weights = new List<double[,]>();
        for (int k = 1; k < widths.Length; k++)
        {
            var w = new double[widths[k], widths[k - 1]];
            for (int i = 0; i < widths[k]; i++)
                for (int j = 0; j < widths[k - 1]; j++) w[i, j] = Gaussian(rng) / Math.Sqrt(widths[k - 1]);
            weights.Add(w);
        }
        return DenseNetwork.FromWeights(weights);
    }

    static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// M(ρ, T) as written in the paper: [A; B]ᵀ [[0, T], [T, −2T]] [A; B] + diag(−ρI, 0, …, W_lᵀW_l), with
    /// A = [blockdiag(W_0 … W_{l−1}), 0], B = [0, I] (ReLU: slopes in [0, 1]).
    /// </summary>
    public static Matrix<double> PaperMatrix(DenseNetwork network, double rho, double[] lambda)
    {
        var layers = network.Layers;
        int n0 = network.InputSize, n = lambda.Length, d = n0 + n;
        var a = Matrix<double>.Build.Dense(n, d);
        int row = 0, col = 0;
        for (int k = 0; k < layers.Count - 1; k++)
        {
            a.SetSubMatrix(row, col, Matrix<double>.Build.DenseOfArray(layers[k].Weight));
            col += layers[k].Inputs;
            row += layers[k].Outputs;
        }
        var b = Matrix<double>.Build.Dense(n, d);
        b.SetSubMatrix(0, n0, Matrix<double>.Build.DenseIdentity(n));
        var ab = a.Stack(b);
        var t = Matrix<double>.Build.DiagonalOfDiagonalArray(lambda);
        var q = Matrix<double>.Build.Dense(2 * n, 2 * n);
        q.SetSubMatrix(0, n, t);
        q.SetSubMatrix(n, 0, t);
        q.SetSubMatrix(n, n, -2 * t);
        var m = ab.TransposeThisAndMultiply(q * ab);
        var last = Matrix<double>.Build.DenseOfArray(layers[^1].Weight);
        m.SetSubMatrix(d - last.ColumnCount, d - last.ColumnCount,
            m.SubMatrix(d - last.ColumnCount, last.ColumnCount, d - last.ColumnCount, last.ColumnCount) + last.TransposeThisAndMultiply(last));
        for (int i = 0; i < n0; i++) m[i, i] -= rho;
        return m;
    }

    /// <summary>The largest eigenvalue of a symmetric matrix.</summary>
    public static double MaxEigenvalue(Matrix<double> m) => m.Evd(Symmetricity.Symmetric).EigenValues.Max(e => e.Real);

    /// <summary>The largest ‖J(x)‖₂ over random points x, J the Jacobian of the ReLU network's linear piece at x.</summary>
    public static double SampledJacobianNorm(DenseNetwork network, int samples, int seed)
    {
        var rng = new Random(seed);
        double best = 0;
        for (int s = 0; s < samples; s++)
        {
            var x = Vector<double>.Build.Dense(network.InputSize, _ => Gaussian(rng));
            var jac = Matrix<double>.Build.DenseIdentity(network.InputSize);
            foreach (var layer in network.Layers)
            {
                var w = Matrix<double>.Build.DenseOfArray(layer.Weight);
                var z = w * x + Vector<double>.Build.DenseOfArray(layer.Bias);
                jac = w * jac;
                if (layer.Activation is Verify.Operators.Relu)
                {
                    var mask = z.Map(v => v > 0 ? 1.0 : 0.0);
                    jac = Matrix<double>.Build.DiagonalOfDiagonalVector(mask) * jac;
                    z = z.PointwiseMaximum(0);
                }
                x = z;
            }
            best = Math.Max(best, jac.L2Norm());
        }
        return best;
    }
}
