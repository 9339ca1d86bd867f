using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>
/// A linear or conv layer's weight as a linear operator on the layer's per-sample input (for convolutions the
/// convolution itself, with its stride and padding, not the reshaped kernel), with a persistent block of
/// power-iteration vectors and the current estimate u (output side), v (input side) of its top singular pair.
/// </summary>
public sealed class LayerOperator
{
    /// <summary>Largest input size whose dense operator <see cref="Exact"/> decomposes.</summary>
    public const long MaxExactInputs = 8192;

    /// <summary>Default number of directions the power iteration tracks at once (a block power iteration with a Rayleigh–Ritz step; 1 is Miyato's single vector).</summary>
    public const int DefaultDirections = 4;

    readonly Func<Tensor, Tensor, Tensor> apply;
    readonly Tensor block, u, v;

    LayerOperator(Layer layer, Tensor raw, Func<Tensor, Tensor, Tensor> apply, long[] inputShape, int directions, Generator gen)
    {
        Layer = layer;
        Raw = raw;
        this.apply = apply;
        InputShape = inputShape;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long n = inputShape.Aggregate(1L, (a, b) => a * b);
        long m = apply(raw.detach(), torch.zeros(new long[] { 1 }.Concat(inputShape).ToArray(), device: raw.device)).numel();
        long k = Math.Min(directions, Math.Min(n, m));
        var x = torch.randn(new long[] { k }.Concat(inputShape).ToArray(), generator: gen, device: raw.device);
        block = Orthonormal(x).DetachFromDisposeScope();
        v = block[..1].clone().DetachFromDisposeScope();
        var y = apply(raw.detach(), v);
        u = (y / (y.norm() + 1e-30)).detach().DetachFromDisposeScope();
    }

    /// <summary>The operator of a <see cref="LinearLayer"/> or <see cref="ConvLayer"/> (null for other layers), tracking <paramref name="directions"/> directions.</summary>
    public static LayerOperator? Of(Layer layer, long[] inputShape, Generator gen, int directions = DefaultDirections) => layer switch
    {
        LinearLayer l => new LayerOperator(l, l.RawWeight, (w, x) => nn.functional.linear(x, w), inputShape, directions, gen),
        ConvLayer c => new LayerOperator(c, c.RawWeight,
            (w, x) => nn.functional.conv2d(x, w, null, strides: new[] { c.Stride, c.Stride }, padding: new[] { c.Padding, c.Padding }),
            inputShape, directions, gen),
        _ => null,
    };

    /// <summary>The layer.</summary>
    public Layer Layer { get; }

    /// <summary>The layer's trained parameter.</summary>
    public Tensor Raw { get; }

    /// <summary>The weight the layer's forward pass uses (the raw one unless reparameterised).</summary>
    public Tensor Effective => Layer is LinearLayer l ? l.Weight : ((ConvLayer)Layer).Weight;

    /// <summary>Per-sample input shape.</summary>
    public long[] InputShape { get; }

    /// <summary>Sets (or clears) the layer's reparameterisation.</summary>
    public void Reparameterize(IWeightReparameterization? map)
    {
        if (Layer is LinearLayer l) l.Reparameterization = map;
        else ((ConvLayer)Layer).Reparameterization = map;
    }

    /// <summary>
    /// <paramref name="iterations"/> block power iterations on weight <paramref name="w"/> (V ← orth(AᵀA V), no
    /// gradient), then v, u the top Ritz pair of the block; returns the estimate ‖Av‖ = uᵀAv ≤ σ_max(A).
    /// </summary>
    /// <remarks>
    /// A single vector loses every other direction (its weight there decays geometrically); when training lifts a
    /// second singular value past the tracked one, a single vector needs many iterations to find it and σ̂ lags behind
    /// σ. The block keeps the next directions, so the Ritz step switches to the new top one at once.
    /// </remarks>
    public double Iterate(Tensor w, int iterations)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var wd = w.detach();
        for (int i = 0; i < iterations; i++)
        {
            using var inner = torch.NewDisposeScope();
            var back = Transpose(wd, apply(wd, block));
            block.copy_(Orthonormal(back));
        }
        // Rayleigh–Ritz: the top eigenvector of the block's Gram matrix (AV)ᵀ(AV)
        long k = block.shape[0];
        var y = apply(wd, block).reshape(k, -1);
        var gram = y.matmul(y.t()).to(ScalarType.Float64);
        var (_, vectors) = torch.linalg.eigh(gram);
        var top = vectors[.., ^1].to(block.dtype);
        var vNew = top.matmul(block.reshape(k, -1)).reshape(v.shape);
        v.copy_(vNew / (vNew.norm() + 1e-30));
        var av = apply(wd, v);
        var norm = av.norm();
        u.copy_(av / (norm + 1e-30));
        return norm.item<float>();
    }

    /// <summary>Aᵀy as the gradient of yᵀA x (A is linear, so this is exact for conv strides and padding too).</summary>
    Tensor Transpose(Tensor wd, Tensor y)
    {
        using var grad = torch.enable_grad();
        var x = torch.zeros_like(block).requires_grad_(true);
        return torch.autograd.grad(new[] { apply(wd, x) }, new[] { x }, new[] { y })[0];
    }

    /// <summary>The rows of a [k, ...] block made orthonormal (QR).</summary>
    static Tensor Orthonormal(Tensor x)
    {
        long k = x.shape[0];
        var (q, _) = torch.linalg.qr(x.reshape(k, -1).t());
        return q.t().reshape(x.shape).contiguous();
    }

    /// <summary>σ̂ = uᵀ A(w) v with the current vectors: a scalar tensor differentiable in <paramref name="w"/>, not in u, v.</summary>
    public Tensor Estimate(Tensor w) => (u * apply(w, v)).sum();

    /// <summary>The exact largest singular value of the operator with weight <paramref name="w"/> (float64 SVD of the dense operator; null when its input is too large).</summary>
    public double? Exact(Tensor w)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var wd = w.detach();
        if (wd.dim() == 2) return torch.linalg.svdvals(wd.to(ScalarType.Float64))[0].item<double>();
        long n = InputShape.Aggregate(1L, (a, b) => a * b);
        if (n > MaxExactInputs) return null;
        // the dense operator, column by column (the convolution of each basis image)
        var basis = torch.eye(n, dtype: wd.dtype, device: wd.device).reshape(new[] { n }.Concat(InputShape).ToArray());
        return torch.linalg.svdvals(apply(wd, basis).reshape(n, -1).to(ScalarType.Float64))[0].item<double>();
    }
}
