using TorchSharp;
using Verify.Training.Data;
using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>Small synthetic classification problems and networks for fast training tests.</summary>
public static class SyntheticData
{
    /// <summary>
    /// <paramref name="n"/> 1x4x4 images of 3 classes: each class a fixed random pattern of 0.2/0.8 pixels plus
    /// uniform noise of +-0.05 (clusters at L-inf distance 0.6, so robust at eps well below 0.25).
    /// </summary>
    public static ImageSet Clusters(int n, long seed)
    {
        // The class patterns are the same for every seed; the seed picks the samples.
        var centres = torch.where(torch.rand(new long[] { 3, 1, 4, 4 }, generator: new Generator(12345, torch.CPU)) > 0.5, 0.8f, 0.2f);
        var gen = new Generator((ulong)seed, torch.CPU);
        // Make every pair of centres differ in at least one pixel.
        centres[0, 0, 0, 0] = 0.2f; centres[1, 0, 0, 0] = 0.8f; centres[2, 0, 0, 0] = 0.2f;
        centres[0, 0, 0, 1] = 0.2f; centres[1, 0, 0, 1] = 0.2f; centres[2, 0, 0, 1] = 0.8f;
        var labels = torch.randint(0, 3, new long[] { n }, generator: gen, dtype: ScalarType.Int64);
        var noise = (torch.rand(new long[] { n, 1, 4, 4 }, generator: gen) * 2 - 1) * 0.05;
        return new ImageSet((centres.index_select(0, labels) + noise).clamp(0, 1), labels);
    }

    /// <summary>A small network for 1x4x4 inputs and 10 classes: optionally conv, BatchNorm.</summary>
    public static Network Small(bool conv, bool batchNorm, long seed)
    {
        torch.manual_seed(seed);
        var device = torch.CPU;
        var layers = new List<Layer>();
        void Hidden(long f)
        {
            if (batchNorm) layers.Add(new BatchNormLayer(new BatchNormParameters(f, device)));
            layers.Add(new ReluLayer());
        }
        if (conv)
        {
            layers.Add(new ConvLayer(nn.Conv2d(1, 4, 3, stride: 1, padding: 1, device: device), 3, 1, 1)); Hidden(4);
            layers.Add(new ConvLayer(nn.Conv2d(4, 6, 2, stride: 2, padding: 0L, device: device), 2, 2, 0)); Hidden(6);
            layers.Add(new FlattenLayer());
            layers.Add(new LinearLayer(nn.Linear(24, 16, device: device))); Hidden(16);
        }
        else
        {
            layers.Add(new FlattenLayer());
            layers.Add(new LinearLayer(nn.Linear(16, 32, device: device))); Hidden(32);
            layers.Add(new LinearLayer(nn.Linear(32, 16, device: device))); Hidden(16);
        }
        layers.Add(new LinearLayer(nn.Linear(16, 10, device: device)));
        return new Network(conv ? "small-conv" : "small-mlp", layers, new long[] { 1, 4, 4 });
    }

    /// <summary>Gives every BatchNorm layer non-trivial parameters and running statistics.</summary>
    public static void RandomizeBatchNorm(Network net, long seed)
    {
        var gen = new Generator((ulong)seed, torch.CPU);
        using var noGrad = torch.no_grad();
        foreach (var bn in net.Layers.OfType<BatchNormLayer>())
        {
            var m = bn.Module;
            m.Gamma.copy_(torch.rand(m.Gamma.shape, generator: gen) * 1.5 + 0.25);
            m.Beta.copy_(torch.randn(m.Beta.shape, generator: gen) * 0.2);
            m.RunningMean.copy_(torch.randn(m.RunningMean.shape, generator: gen) * 0.3);
            m.RunningVar.copy_(torch.rand(m.RunningVar.shape, generator: gen) + 0.5);
        }
    }
}
