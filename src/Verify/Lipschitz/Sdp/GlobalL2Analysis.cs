using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>The global l2 Lipschitz figures of a network: LipSDP in both forms, the naive bound and a sampled lower bound.</summary>
/// <param name="Neuron">LipSDP-Neuron (certified).</param>
/// <param name="Layer">LipSDP-Layer (certified).</param>
/// <param name="Naive">Product of the layers' spectral norms.</param>
/// <param name="SampledLower">The largest ||J(x)||_2 found at sampled points: a true lower bound of the global constant.</param>
/// <param name="SampledPoints">Points sampled.</param>
/// <param name="SamplingSeconds">Time of the sampling.</param>
public sealed record GlobalL2Report(LipSdpResult Neuron, LipSdpResult Layer, double Naive, double SampledLower, int SampledPoints, double SamplingSeconds);

/// <summary>Computes a <see cref="GlobalL2Report"/> (the region, when given, only chooses where to sample).</summary>
public static class GlobalL2Analysis
{
    /// <summary>Runs LipSDP (Neuron, Layer) with <paramref name="options"/>' method and limits, the naive bound, and sampling.</summary>
    public static GlobalL2Report Run(DenseNetwork network, LipSdpOptions options, double[]? lower = null, double[]? upper = null,
        int samples = 512, int seed = 0)
    {
        var neuron = LipSdpSolver.Solve(network, options with { Form = LipSdpForm.Neuron });
        var layer = LipSdpSolver.Solve(network, options with { Form = LipSdpForm.Layer });
        double naive = NaiveLipschitz.SpectralNormProduct(network);
        var clock = Stopwatch.StartNew();
        double sampled = SampledJacobianNorm(network, lower, upper, samples, seed);
        return new GlobalL2Report(neuron, layer, naive, sampled, samples, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// max over sampled points x of ||J(x)||_2, with J(x) the Jacobian of the activation pattern at x; points are uniform in
    /// the box when given, else standard normal.
    /// </summary>
    public static double SampledJacobianNorm(DenseNetwork network, double[]? lower, double[]? upper, int samples, int seed)
    {
        var rng = new Random(seed);
        int n = network.InputSize;
        double best = 0;
        for (int s = 0; s < samples; s++)
        {
            var x = new double[n];
            for (int i = 0; i < n; i++)
                x[i] = lower is not null && upper is not null
                    ? lower[i] + rng.NextDouble() * (upper[i] - lower[i])
                    : Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            best = Math.Max(best, JacobianAt(network, x).L2Norm());
        }
        return best;
    }

    /// <summary>The Jacobian of the network at x (activation derivatives at the pre-activations of x).</summary>
    public static Matrix<double> JacobianAt(DenseNetwork network, double[] x)
    {
        var m = Matrix<double>.Build;
        Matrix<double>? j = null;
        var v = Vector<double>.Build.DenseOfArray(x);
        foreach (var layer in network.Layers)
        {
            var w = m.DenseOfArray(layer.Weight);
            var z = w * v + Vector<double>.Build.DenseOfArray(layer.Bias);
            var wj = j is null ? w : w * j;
            if (layer.Pairs is { } pairs)
            {
                j = m.DenseOfArray(pairs.Jacobian(z.ToArray())) * wj;
                v = Vector<double>.Build.DenseOfArray(pairs.Apply(z.ToArray()));
                continue;
            }
            var d = Vector<double>.Build.DenseOfArray(DenseNetwork.Derivative(layer.Activation, z.ToArray()));
            j = m.DenseOfDiagonalVector(d) * wj;
            v = Vector<double>.Build.DenseOfArray(DenseNetwork.Activate(layer.Activation, z.ToArray()));
        }
        return j!;
    }
}
