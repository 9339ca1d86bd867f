using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>The LBDN models for 1x28x28 inputs and 10 classes.</summary>
public static class LbdnZoo
{
    /// <summary>The model names <see cref="Create"/> knows.</summary>
    public static readonly string[] Names = { "lbdn-mlp", "lbdn-cnn" };

    /// <summary>Hidden widths of <c>lbdn-mlp</c>.</summary>
    public static readonly long[] MlpWidths = { 512, 512, 256 };

    /// <summary>Channels of the convolutional sandwich layers of <c>lbdn-cnn</c>.</summary>
    public static readonly long[] CnnChannels = { 8 };

    /// <summary>Side of the free kernels of <c>lbdn-cnn</c>'s convolutions.</summary>
    public const long CnnKernel = 5;

    /// <summary>Hidden widths of <c>lbdn-cnn</c>'s fully connected layers.</summary>
    public static readonly long[] CnnWidths = { 256, 128 };

    /// <summary>The default hidden widths of a model.</summary>
    public static long[] DefaultWidths(string name) => name == "lbdn-cnn" ? CnnWidths : MlpWidths;

    /// <summary>Whether <paramref name="name"/> is an LBDN model.</summary>
    public static bool IsLbdn(string name) => Names.Contains(name);

    /// <summary>
    /// <c>lbdn-mlp</c>: 784-512-512-256-10 sandwich layers (or <paramref name="widths"/>); <c>lbdn-cnn</c>: a circular
    /// convolutional sandwich layer of 8 channels on 28×28 (5×5 free kernels), then 256-128 (or <paramref name="widths"/>)
    /// fully connected sandwich layers. Both are γ-Lipschitz in l2.
    /// </summary>
    public static LbdnNetwork Create(string name, double gamma, Device device, IReadOnlyList<long>? widths = null)
    {
        Check(name);
        var shape = new long[] { 1, 28, 28 };
        return name == "lbdn-cnn"
            ? new LbdnNetwork(name, shape, CnnChannels, CnnKernel, widths ?? CnnWidths, 10, gamma, device)
            : new LbdnNetwork(name, shape, widths ?? MlpWidths, 10, gamma, device);
    }

    /// <summary>Throws the user error for an unknown or unimplemented LBDN model name.</summary>
    public static void Check(string name)
    {
        if (!IsLbdn(name)) throw new VerifyException($"unknown LBDN model '{name}' (known: {string.Join(", ", Names)})");
    }
}
