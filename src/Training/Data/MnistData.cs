using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Data;

/// <summary>A labelled image set on a device: images [n, 1, 28, 28] in [0,1] and labels [n] (int64).</summary>
public sealed record ImageSet(Tensor Images, Tensor Labels)
{
    /// <summary>Number of images.</summary>
    public long Count => Labels.shape[0];

    /// <summary>The first <paramref name="n"/> images (all when n is larger).</summary>
    public ImageSet Take(long n) => n >= Count ? this : new ImageSet(Images[..(int)n], Labels[..(int)n]);
}

/// <summary>Loads MNIST from a folder as tensors.</summary>
public static class MnistData
{
    /// <summary>The training or test set; a one-line <see cref="VerifyException"/> when the files are missing.</summary>
    public static ImageSet Load(string dir, bool train, Device device)
    {
        if (!MnistIdx.Present(dir))
            throw new VerifyException($"MNIST not found in {dir} (give --data-dir, set {DataLocator.EnvironmentVariable}, or add --download)");
        var (x, y, n) = MnistIdx.Load(dir, train);
        var images = torch.tensor(x, device: device).reshape(n, 1, 28, 28);
        var labels = torch.tensor(y.Select(b => (long)b).ToArray(), device: device);
        return new ImageSet(images, labels);
    }
}
