using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>Maps a layer's trained (raw) weight to the weight its forward pass, bounds and export use.</summary>
public interface IWeightReparameterization
{
    /// <summary>The effective weight for raw weight <paramref name="raw"/> (differentiable in it).</summary>
    Tensor Effective(Tensor raw);
}
