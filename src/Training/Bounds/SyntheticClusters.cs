using TorchSharp;
using Verify.Training.Data;
using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>
/// A synthetic K-class task of MNIST's shape for timing loss fusion: class k has a fixed centre image with pixels
/// uniform in [0,1] (from the seed); a sample is its class centre plus N(0, 0.15²) noise per pixel,
/// clipped to [0,1]; labels uniform over the K classes.
/// </summary>
public static class SyntheticClusters
{
    /// <summary><paramref name="n"/> images [n, 1, 28, 28] and labels [n] on <paramref name="device"/>.</summary>
    public static ImageSet Create(int classes, int n, long seed, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new Generator((ulong)seed, CPU);
        var centres = torch.rand(new long[] { classes, 1, 28, 28 }, generator: gen);
        var labels = torch.randint(0, classes, new long[] { n }, generator: gen, dtype: ScalarType.Int64);
        var images = (centres.index_select(0, labels) + 0.15 * torch.randn(new long[] { n, 1, 28, 28 }, generator: gen)).clamp(0, 1);
        return new ImageSet(images.to(device).MoveToOuterDisposeScope(), labels.to(device).MoveToOuterDisposeScope());
    }
}
