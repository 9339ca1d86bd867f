using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// The Lagrange multipliers of a node input's interval split constraints lo &lt;= z &lt;= hi (beta-CROWN for a split at
/// any point): for beta_lo, beta_hi &gt;= 0 the bound of f gains −beta_lo·(z − lo) − beta_hi·(hi − z), which is
/// non-positive on the split domain, so any multipliers keep it sound. Sides that are infinite carry no multiplier.
/// </summary>
internal sealed class IntervalSplitMultipliers
{
    readonly Tensor lowerOn, upperOn, lowerAt, upperAt;

    /// <summary>Zero multipliers [batch, specs, ...input shape] for the constraints <paramref name="range"/> ([batch, ...input shape]).</summary>
    public IntervalSplitMultipliers(IntervalBounds range, long[] shape, ScalarType dtype)
    {
        var device = range.Lower.device;
        var lo = range.Lower.to_type(dtype).unsqueeze(1);
        var hi = range.Upper.to_type(dtype).unsqueeze(1);
        lowerOn = lo.isfinite().to_type(dtype);
        upperOn = hi.isfinite().to_type(dtype);
        lowerAt = torch.where(lo.isfinite(), lo, torch.zeros_like(lo));
        upperAt = torch.where(hi.isfinite(), hi, torch.zeros_like(hi));
        Lower = torch.zeros(shape, dtype: dtype, device: device).requires_grad_(true);
        Upper = torch.zeros(shape, dtype: dtype, device: device).requires_grad_(true);
    }

    /// <summary>Multipliers of z &gt;= lo.</summary>
    public Tensor Lower { get; }

    /// <summary>Multipliers of z &lt;= hi.</summary>
    public Tensor Upper { get; }

    /// <summary>The coefficient added on z: −beta_lo + beta_hi where the sides are finite.</summary>
    public Tensor Offset() => Upper * upperOn - Lower * lowerOn;

    /// <summary>The constant added to the bound [batch, specs]: Σ beta_lo·lo − beta_hi·hi.</summary>
    public Tensor Constant() => (Lower * lowerOn * lowerAt - Upper * upperOn * upperAt).flatten(2).sum(2);
}
