using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>Options of the sampled lower bound.</summary>
/// <param name="RandomPoints">Uniform random points evaluated.</param>
/// <param name="Starts">Gradient-ascent starts per output.</param>
/// <param name="Steps">Gradient-ascent steps.</param>
/// <param name="Seed">Random seed.</param>
public sealed record SamplingOptions(int RandomPoints = 2000, int Starts = 32, int Steps = 40, int Seed = 0);

/// <summary>
/// A lower bound of the local Lipschitz constant: the largest ‖∇f_j(x)‖₁ found at points x of the box, from random
/// points and from gradient ascent on the gradient norm (for ReLU, whose gradient is piecewise constant, the ascent
/// follows a smoothed derivative; every value reported is the true gradient norm at a point of the box).
/// </summary>
public static class SampledLowerBound
{
    /// <summary>The largest ‖∇f_j(x)‖₁ found, per output.</summary>
    public static double[] PerOutput(LipschitzNetwork net, double[] lower, double[] upper, SamplingOptions? options = null)
    {
        options ??= new SamplingOptions();
        using var scope = NewDisposeScope();
        int outputs = net.Dense.OutputSize, n = net.Dense.InputSize;
        var gen = new Generator((ulong)options.Seed + 1);
        var lo = tensor(lower, dtype: ScalarType.Float64, device: CPU).reshape(1, n);
        var hi = tensor(upper, dtype: ScalarType.Float64, device: CPU).reshape(1, n);
        var best = full(outputs, double.NegativeInfinity, dtype: ScalarType.Float64, device: CPU);
        void Observe(Tensor x)
        {
            using var s = NewDisposeScope();
            using var noGrad = no_grad();
            best = maximum(best, GradientNorms(net, x, null).max(0).values).DetachFromDisposeScope();
        }
        Observe((lo + hi) / 2);
        for (int done = 0; done < options.RandomPoints; done += 512)
        {
            int m = Math.Min(512, options.RandomPoints - done);
            Observe(lo + (hi - lo) * rand(m, n, generator: gen, dtype: ScalarType.Float64, device: CPU));
        }
        // Gradient ascent: `Starts` points per output, output j's points ascend ‖∇f_j‖₁.
        var x = (lo + (hi - lo) * rand(outputs * options.Starts, n, generator: gen, dtype: ScalarType.Float64, device: CPU)).detach();
        var owner = arange(outputs, dtype: ScalarType.Int64, device: CPU).repeat_interleave(options.Starts).unsqueeze(1);
        var width = hi - lo;
        for (int step = 0; step < options.Steps; step++)
        {
            using var s = NewDisposeScope();
            var xv = x.detach().requires_grad_(true);
            var norms = GradientNorms(net, xv, 0.05).gather(1, owner).sum();
            if (!norms.requires_grad) break; // a linear network: the gradient does not depend on x
            var grad = torch.autograd.grad(new[] { norms }, new[] { xv })[0];
            double size = 0.1 * (1 - step / (double)options.Steps) + 0.005;
            var moved = minimum(maximum(xv.detach() + size * width * grad.sign(), lo), hi);
            x = moved.DetachFromDisposeScope();
            Observe(x);
        }
        var result = best.data<double>().ToArray();
        foreach (var v in result)
            if (double.IsNaN(v)) throw new InvalidOperationException("the sampled gradient norm is NaN");
        return result;
    }

    /// <summary>
    /// ‖∇f_j(x)‖₁ for every point and output ([points, outputs]). With <paramref name="smoothing"/>, ReLU derivatives
    /// are replaced by sigmoid(z / (smoothing·mean|z|)) so that the value is differentiable in x.
    /// </summary>
    public static Tensor GradientNorms(LipschitzNetwork net, Tensor x, double? smoothing)
    {
        var a = x;
        var slopes = new List<Tensor>();
        for (int k = 0; k < net.HiddenLayers; k++)
        {
            var z = a.matmul(net.Weights[k].t()) + net.Biases[k];
            var act = net.ActivationOf(k);
            slopes.Add(smoothing is { } t ? act.SmoothedDerivative(z, t) : act.Derivative(z));
            a = act.Apply(z);
        }
        // Reverse mode, all outputs at once: rows [points, outputs, n_k], g_{k-1} = (s_k ⊙ g_k) W_k.
        var rows = net.Weights[^1].unsqueeze(0).expand(x.shape[0], -1, -1);
        for (int k = net.HiddenLayers - 1; k >= 0; k--)
            rows = (rows * slopes[k].unsqueeze(1)).matmul(net.Weights[k]);
        return rows.abs().sum(2);
    }
}
