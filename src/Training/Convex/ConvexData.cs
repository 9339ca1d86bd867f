using TorchSharp;
using Verify.Training.Data;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>The training data of the convex program: features X [n, d] and labels y [n] in {-1, +1} (float32 or float64).</summary>
public sealed record ConvexData(Tensor X, Tensor Y)
{
    /// <summary>Samples n.</summary>
    public long Count => X.shape[0];

    /// <summary>Features d.</summary>
    public long Features => X.shape[1];

    /// <summary>Flattened images and labels 0/1 mapped to -1/+1, in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public static ConvexData From(ImageSet set, Device device, ScalarType dtype = ScalarType.Float32) =>
        new(set.Images.reshape(set.Count, -1).to(dtype, device), set.Labels.to(dtype, device) * 2 - 1);
}
