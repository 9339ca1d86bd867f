using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>How weights are initialised.</summary>
public enum InitKind
{
    /// <summary>TorchSharp's default (Kaiming-uniform).</summary>
    Default,
    /// <summary>Shi et al. 2021: N(0, sigma^2) with sigma = sqrt(2 pi) / fan_in, zero biases (stable IBP radii).</summary>
    Ibp,
}

/// <summary>Builders of the small MNIST networks of the certified-training literature.</summary>
public static class ModelZoo
{
    /// <summary>The model names <see cref="Create"/> knows.</summary>
    public static readonly string[] Names = { "mlp", "cnn-small", "dm-small", "dm-medium" };

    /// <summary>
    /// Builds a model for 1x28x28 inputs and 10 classes: <c>mlp</c> (784-256-256-10), <c>cnn-small</c> (Wong and Kolter:
    /// conv16 4x4/2, conv32 4x4/2, FC100), <c>dm-small</c> and <c>dm-medium</c> (Gowal et al.); with
    /// <paramref name="batchNorm"/>, a BatchNorm after every hidden conv/linear layer.
    /// </summary>
    public static Network Create(string name, bool batchNorm, InitKind init, Device device)
    {
        var b = new Builder(batchNorm, device);
        switch (name)
        {
            case "mlp":
                b.Flatten(); b.Linear(784, 256); b.Linear(256, 256); b.Linear(256, 10, last: true);
                break;
            case "cnn-small":
                b.Conv(1, 16, 4, 2, 1); b.Conv(16, 32, 4, 2, 1); b.Flatten(); b.Linear(32 * 7 * 7, 100); b.Linear(100, 10, last: true);
                break;
            case "dm-small":
                b.Conv(1, 16, 4, 2, 0); b.Conv(16, 32, 4, 1, 0); b.Flatten(); b.Linear(32 * 10 * 10, 100); b.Linear(100, 10, last: true);
                break;
            case "dm-medium":
                b.Conv(1, 32, 3, 1, 0); b.Conv(32, 32, 4, 2, 0); b.Conv(32, 64, 3, 1, 0); b.Conv(64, 64, 4, 2, 0);
                b.Flatten(); b.Linear(64 * 4 * 4, 512); b.Linear(512, 512); b.Linear(512, 10, last: true);
                break;
            default:
                throw new VerifyException($"unknown model '{name}' (known: {string.Join(", ", Names)})");
        }
        var net = new Network(name, b.Layers, new long[] { 1, 28, 28 });
        if (init == InitKind.Ibp) IbpInit(net);
        return net;
    }

    /// <summary>Shi et al.'s IBP initialisation of every conv and linear layer.</summary>
    public static void IbpInit(Network net)
    {
        using var noGrad = torch.no_grad();
        foreach (var layer in net.Layers)
        {
            var (w, bias) = layer switch
            {
                LinearLayer l => (l.Weight, l.Bias),
                ConvLayer c => (c.Weight, c.Bias),
                _ => (null, null),
            };
            if (w is null) continue;
            long fanIn = w.numel() / w.shape[0];
            w.normal_(0, Math.Sqrt(2 * Math.PI) / fanIn);
            bias!.zero_();
        }
    }

    sealed class Builder(bool batchNorm, Device device)
    {
        public List<Layer> Layers { get; } = new();

        public void Flatten() => Layers.Add(new FlattenLayer());

        public void Conv(long input, long output, long k, long stride, long pad)
        {
            Layers.Add(new ConvLayer(nn.Conv2d(input, output, k, stride: stride, padding: pad, device: device), k, stride, pad));
            Hidden(output);
        }

        public void Linear(long input, long output, bool last = false)
        {
            Layers.Add(new LinearLayer(nn.Linear(input, output, device: device)));
            if (!last) Hidden(output);
        }

        void Hidden(long features)
        {
            if (batchNorm) Layers.Add(new BatchNormLayer(new BatchNormParameters(features, device)));
            Layers.Add(new ReluLayer());
        }
    }
}
