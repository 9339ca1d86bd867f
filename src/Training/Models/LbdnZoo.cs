using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>The LBDN models for 1x28x28 inputs and 10 classes.</summary>
public static class LbdnZoo
{
    /// <summary>The model names <see cref="Create"/> knows.</summary>
    public static readonly string[] Names = { "lbdn-mlp", "lbdn-cnn" };

    /// <summary>Hidden widths of <c>lbdn-mlp</c>.</summary>
    public static readonly long[] MlpWidths = { 512, 512, 256 };

    /// <summary>Whether <paramref name="name"/> is an LBDN model.</summary>
    public static bool IsLbdn(string name) => Names.Contains(name);

    /// <summary>
    /// <c>lbdn-mlp</c>: 784-512-512-256-10 sandwich layers (or <paramref name="widths"/>), γ-Lipschitz in l2. <c>lbdn-cnn</c> (the paper's
    /// FFT/circulant sandwich convolution) is not implemented.
    /// </summary>
    public static LbdnNetwork Create(string name, double gamma, Device device, IReadOnlyList<long>? widths = null)
    {
        Check(name);
        return new LbdnNetwork(name, new long[] { 1, 28, 28 }, widths ?? MlpWidths, 10, gamma, device);
    }

    /// <summary>Throws the user error for an unknown or unimplemented LBDN model name.</summary>
    public static void Check(string name)
    {
        if (name == "lbdn-cnn") throw new VerifyException("lbdn-cnn (the sandwich convolution via FFT) is not implemented yet; use --model lbdn-mlp");
        if (name != "lbdn-mlp") throw new VerifyException($"unknown LBDN model '{name}' (known: {string.Join(", ", Names)})");
    }
}
