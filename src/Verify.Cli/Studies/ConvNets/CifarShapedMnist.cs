using Verify.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies.ConvNets;

/// <summary>
/// MNIST at the study's shapes: "CIFAR-shaped MNIST" (28x28 padded by 2 to 32x32 and repeated to 3 channels) and
/// the small shape (the padded 32x32 image average-pooled 4x4 to 8x8, one channel). Pixels stay in [0, 1].
/// </summary>
public static class CifarShapedMnist
{
    /// <summary>The first <paramref name="count"/> images of the training or test set at <paramref name="shape"/>, with labels.</summary>
    public static (Tensor Images, Tensor Labels) Load(string dataDir, bool train, int count, StudyShape shape)
    {
        var set = MnistData.Load(dataDir, train, CPU).Take(count);
        return (Reshape(set.Images, shape), set.Labels);
    }

    /// <summary>Images [n, 1, 28, 28] at the study's shape.</summary>
    public static Tensor Reshape(Tensor images, StudyShape shape)
    {
        var padded = nn.functional.pad(images.to_type(ScalarType.Float32), new long[] { 2, 2, 2, 2 });
        return shape == StudyShape.Cifar
            ? padded.repeat(1, 3, 1, 1).contiguous()
            : nn.functional.avg_pool2d(padded, new long[] { 4, 4 }, new long[] { 4, 4 }).contiguous();
    }
}
