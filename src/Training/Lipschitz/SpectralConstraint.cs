using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>
/// Keeps the spectral norm (largest singular value of the layer's operator, see <see cref="LayerOperator"/>) of every
/// linear and conv layer of a <see cref="Network"/> at most <see cref="Cap"/> by one of the <see cref="SpectralMethod"/>s:
/// call <see cref="Prepare"/> before every training step's forward pass, <see cref="Step"/> after every optimiser step
/// and <see cref="Finish"/> at the end, which writes the effective weights into the plain layers and rescales them by
/// their exact norms so that Cap^layers bounds the network's l2 Lipschitz constant.
/// </summary>
public sealed class SpectralConstraint
{
    /// <summary>Power iterations on the initial weights before the first step.</summary>
    public const int WarmupIterations = 20;

    readonly List<LayerOperator> entries = new();
    readonly double orthogonalLr;

    /// <summary>
    /// Sets up the power-iteration blocks (seeded, <paramref name="directions"/> vectors each) of every linear and conv
    /// layer of <paramref name="net"/>; with <see cref="SpectralMethod.PowerIteration"/> reparameterises them.
    /// </summary>
    public SpectralConstraint(Network net, double cap, SpectralMethod method, double orthogonalLr, long seed,
        int directions = LayerOperator.DefaultDirections)
    {
        if (directions < 1) throw new VerifyException($"--spectral-directions must be at least 1, got {directions}");
        if (!(cap > 0) || !double.IsFinite(cap)) throw new VerifyException($"--spectral-norm must be positive, got {cap}");
        if (net.Layers.Any(l => l is BatchNormLayer)) throw new VerifyException("--spectral-norm cannot be combined with BatchNorm (its scaling is not constrained)");
        Cap = cap;
        Method = method;
        this.orthogonalLr = orthogonalLr;
        var gen = new Generator((ulong)seed, net.Device);
        foreach (var layer in net.Layers)
            if (LayerOperator.Of(layer, net.Shapes[layer.Index], gen, directions) is { } op) entries.Add(op);
        foreach (var e in entries)
        {
            e.Iterate(e.Raw, WarmupIterations);
            if (method == SpectralMethod.PowerIteration) e.Reparameterize(new SpectralNormalization(e, cap));
        }
    }

    /// <summary>The cap S on every layer's spectral norm.</summary>
    public double Cap { get; }

    /// <summary>The method.</summary>
    public SpectralMethod Method { get; }

    /// <summary>Constrained layers.</summary>
    public int Layers => entries.Count;

    /// <summary>Whether <see cref="Finish"/> has run (the layers are plain again).</summary>
    public bool Finished { get; private set; }

    /// <summary>The l2 Lipschitz bound the constraint guarantees after <see cref="Finish"/>: Cap^Layers (ReLU is 1-Lipschitz).</summary>
    public double Bound => Math.Pow(Cap, Layers);

    /// <summary>The parameters the optimiser should update: all of them, or without the weights for orthogonalised updates.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> OptimizerParameters(Network net)
    {
        if (Method != SpectralMethod.Orthogonalized) return net.parameters();
        var mine = entries.Select(e => e.Raw.Handle).ToHashSet();
        return net.parameters().Where(p => !mine.Contains(p.Handle)).ToList();
    }

    /// <summary>Before a training step's forward pass: <paramref name="iterations"/> power iterations per layer on the raw weights (spectral normalisation only).</summary>
    public void Prepare(int iterations = 1)
    {
        if (Method != SpectralMethod.PowerIteration || Finished) return;
        foreach (var e in entries) e.Iterate(e.Raw, iterations);
    }

    /// <summary>After an optimiser step: the orthogonalised weight update (if chosen), then one power iteration and projection per layer (not for spectral normalisation).</summary>
    public void Step()
    {
        if (Method == SpectralMethod.PowerIteration) return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var e in entries)
        {
            if (Method == SpectralMethod.Orthogonalized && e.Raw.grad is { } g)
            {
                var m = g.reshape(g.shape[0], -1);
                var (u, _, vh) = torch.linalg.svd(m, fullMatrices: false);
                var o = u.matmul(vh).reshape(g.shape);
                e.Raw.mul_(1 - orthogonalLr / Cap).sub_(orthogonalLr * o);
            }
            double sigma = e.Iterate(e.Raw, 1);
            if (sigma > Cap) e.Raw.mul_(Cap / sigma);
        }
    }

    /// <summary>
    /// Writes every layer's effective weight into its plain parameter (removing the reparameterisation) and rescales
    /// every layer whose exact norm exceeds the cap (power iteration to convergence for huge inputs); returns the norms after.
    /// </summary>
    public double[] Finish()
    {
        using var noGrad = torch.no_grad();
        var norms = new double[entries.Count];
        for (int k = 0; k < entries.Count; k++)
        {
            using var scope = torch.NewDisposeScope();
            var e = entries[k];
            if (!Finished)
            {
                var effective = e.Effective.detach().clone();
                e.Reparameterize(null);
                e.Raw.copy_(effective);
            }
            double sigma = e.Exact(e.Raw) ?? e.Iterate(e.Raw, 500) * 1.01;
            // float32 rounding of the rescaled weight: aim a little below the cap
            if (sigma > Cap) e.Raw.mul_(Cap * (1 - 1e-5) / sigma);
            norms[k] = Math.Min(sigma, Cap);
        }
        Finished = true;
        return norms;
    }

    /// <summary>The exact spectral norm of layer <paramref name="index"/>'s effective operator (null when its input is too large).</summary>
    public double? ExactNorm(int index)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return entries[index].Exact(entries[index].Effective);
    }

    /// <summary>The current power-iteration estimate σ̂ = uᵀ A v of layer <paramref name="index"/>'s raw operator.</summary>
    public double EstimatedNorm(int index)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return entries[index].Estimate(entries[index].Raw).item<float>();
    }
}
