using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>
/// Keeps the spectral norm (largest singular value as an operator: for convolutions the convolution itself, with its
/// stride and padding, not the reshaped kernel) of every linear and conv layer of a <see cref="Network"/> at most
/// <see cref="Cap"/>: call <see cref="Step"/> after every optimiser step and <see cref="Finish"/> at the end, which
/// rescales by the exact norm (SVD of the dense operator) so the product Cap^layers bounds the l2 Lipschitz constant.
/// </summary>
public sealed class SpectralConstraint
{
    /// <summary>Largest input size whose dense operator <see cref="Finish"/> decomposes exactly.</summary>
    public const long MaxExactInputs = 8192;

    readonly List<Entry> entries = new();
    readonly double orthogonalLr;

    sealed record Entry(Tensor Weight, Func<Tensor, Tensor> Op, long[] InputShape, Tensor Vector);

    /// <summary>Sets up the power-iteration vectors (seeded) of every linear and conv layer of <paramref name="net"/>.</summary>
    public SpectralConstraint(Network net, double cap, SpectralMethod method, double orthogonalLr, long seed)
    {
        if (!(cap > 0) || !double.IsFinite(cap)) throw new VerifyException($"--spectral-norm must be positive, got {cap}");
        if (net.Layers.Any(l => l is BatchNormLayer)) throw new VerifyException("--spectral-norm cannot be combined with BatchNorm (its scaling is not constrained)");
        Cap = cap;
        Method = method;
        this.orthogonalLr = orthogonalLr;
        var gen = new Generator((ulong)seed, net.Device);
        foreach (var layer in net.Layers)
        {
            var shape = net.Shapes[layer.Index];
            Func<Tensor, Tensor>? op = layer switch
            {
                LinearLayer l => v => nn.functional.linear(v, l.Weight),
                ConvLayer c => v => nn.functional.conv2d(v, c.Weight, null, strides: new[] { c.Stride, c.Stride }, padding: new[] { c.Padding, c.Padding }),
                _ => null,
            };
            if (op is null) continue;
            var w = layer is LinearLayer ll ? ll.Weight : ((ConvLayer)layer).Weight;
            var v = torch.randn(new long[] { 1 }.Concat(shape).ToArray(), generator: gen, device: net.Device);
            entries.Add(new Entry(w, op, shape, (v / v.norm()).detach()));
        }
    }

    /// <summary>The cap S on every layer's spectral norm.</summary>
    public double Cap { get; }

    /// <summary>The method.</summary>
    public SpectralMethod Method { get; }

    /// <summary>Constrained layers.</summary>
    public int Layers => entries.Count;

    /// <summary>The l2 Lipschitz bound the constraint guarantees after <see cref="Finish"/>: Cap^Layers (ReLU is 1-Lipschitz).</summary>
    public double Bound => Math.Pow(Cap, Layers);

    /// <summary>The parameters the optimiser should update: all of them, or without the weights for orthogonalised updates.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> OptimizerParameters(Network net)
    {
        if (Method != SpectralMethod.Orthogonalized) return net.parameters();
        var mine = entries.Select(e => e.Weight.Handle).ToHashSet();
        return net.parameters().Where(p => !mine.Contains(p.Handle)).ToList();
    }

    /// <summary>After an optimiser step: the orthogonalised weight update (if chosen), then one power iteration and projection per layer.</summary>
    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var e in entries)
        {
            if (Method == SpectralMethod.Orthogonalized && e.Weight.grad is { } g)
            {
                var m = g.reshape(g.shape[0], -1);
                var (u, _, vh) = torch.linalg.svd(m, fullMatrices: false);
                var o = u.matmul(vh).reshape(g.shape);
                e.Weight.mul_(1 - orthogonalLr / Cap).sub_(orthogonalLr * o);
            }
            double sigma = PowerIteration(e, 1);
            if (sigma > Cap) e.Weight.mul_(Cap / sigma);
        }
    }

    /// <summary>Rescales every layer whose exact spectral norm exceeds the cap (power iteration to convergence for huge inputs); returns the norms after.</summary>
    public double[] Finish()
    {
        using var noGrad = torch.no_grad();
        var norms = new double[entries.Count];
        for (int k = 0; k < entries.Count; k++)
        {
            using var scope = torch.NewDisposeScope();
            var e = entries[k];
            double sigma = Exact(e) ?? PowerIteration(e, 500) * 1.01;
            // float32 rounding of the rescaled weight: aim a little below the cap
            if (sigma > Cap) e.Weight.mul_(Cap * (1 - 1e-5) / sigma);
            norms[k] = Math.Min(sigma, Cap);
        }
        return norms;
    }

    /// <summary>The exact spectral norm of layer <paramref name="index"/>'s operator (null when its input is too large).</summary>
    public double? ExactNorm(int index)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return Exact(entries[index]);
    }

    double? Exact(Entry e)
    {
        if (e.Weight.dim() == 2) return torch.linalg.svdvals(e.Weight.to(ScalarType.Float64))[0].item<double>();
        long n = e.InputShape.Aggregate(1L, (a, b) => a * b);
        if (n > MaxExactInputs) return null;
        // the dense operator, column by column (the convolution of each basis image), decomposed in float64
        var basis = torch.eye(n, dtype: e.Weight.dtype, device: e.Weight.device).reshape(new[] { n }.Concat(e.InputShape).ToArray());
        return torch.linalg.svdvals(e.Op(basis).reshape(n, -1).to(ScalarType.Float64))[0].item<double>();
    }

    double PowerIteration(Entry e, int iterations)
    {
        double sigma = 0;
        var v = e.Vector;
        for (int i = 0; i < iterations; i++)
        {
            using var scope = torch.NewDisposeScope();
            Tensor back;
            using (torch.enable_grad())
            {
                var x = v.detach().requires_grad_(true);
                var u = e.Op(x);
                back = torch.autograd.grad(new[] { u }, new[] { x }, new[] { u.detach() })[0];
            }
            var norm = back.norm();
            sigma = Math.Sqrt(norm.item<float>());
            e.Vector.copy_(back / (norm + 1e-30));
        }
        return sigma;
    }
}
