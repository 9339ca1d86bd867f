using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Verify.Cli.Studies.ConvNets;

/// <summary>
/// The parameters of one conv-study network (float32, CPU) and its forward pass for training; written to ONNX by
/// <see cref="FamilyOnnx"/>. BatchNorm trains on batch statistics and keeps running ones, which the file gets.
/// </summary>
public sealed class FamilyNet : IDisposable
{
    /// <summary>The parameters of one layer (null entries for parameterless layers).</summary>
    public sealed record LayerParams(FamilyLayer Spec, Parameter? Weight, Parameter? Bias, Parameter? Weight2 = null,
        Parameter? Bias2 = null, Tensor? RunningMean = null, Tensor? RunningVar = null);

    /// <summary>BatchNorm's epsilon (written to the file).</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>The layers with their parameters.</summary>
    public IReadOnlyList<LayerParams> Layers { get; }

    /// <summary>Input (channels, height, width).</summary>
    public (int C, int H, int W) Input { get; }

    /// <summary>Number of ReLU neurons (what ReLU splitting can split).</summary>
    public long Relus { get; }

    /// <summary>Creates the network with He-scaled normal weights; <paramref name="randomBias"/> draws biases in ±0.1 (else zero).</summary>
    public FamilyNet(FamilyLayer[] layers, (int C, int H, int W) input, Generator gen, bool randomBias)
    {
        Input = input;
        var list = new List<LayerParams>();
        int c = input.C, h = input.H, w = input.W;
        long flat = -1, relus = 0;
        Parameter P(Tensor t) => new(t.to_type(ScalarType.Float32));
        Parameter He(double fanIn, double scale, params long[] shape) => P(randn(shape, generator: gen, dtype: ScalarType.Float64) * (scale * Math.Sqrt(2.0 / fanIn)));
        Parameter Bias(long n) => P(randomBias ? (rand(n, generator: gen, dtype: ScalarType.Float64) - 0.5) * 0.2 : zeros(n, dtype: ScalarType.Float64));
        long Size() => flat >= 0 ? flat : (long)c * h * w;
        foreach (var layer in layers)
        {
            switch (layer)
            {
                case ConvLayerSpec cv:
                    list.Add(new LayerParams(cv, He(c * cv.Kernel * cv.Kernel, 1, cv.Channels, c, cv.Kernel, cv.Kernel), Bias(cv.Channels)));
                    h = (h + 2 * cv.Padding - cv.Kernel) / cv.Stride + 1;
                    w = (w + 2 * cv.Padding - cv.Kernel) / cv.Stride + 1;
                    c = cv.Channels;
                    break;
                case ReluLayerSpec:
                    relus += Size();
                    list.Add(new LayerParams(layer, null, null));
                    break;
                case BatchNormLayerSpec:
                    list.Add(new LayerParams(layer, P(ones(c, dtype: ScalarType.Float64)), P(zeros(c, dtype: ScalarType.Float64)),
                        RunningMean: zeros(c, dtype: ScalarType.Float32), RunningVar: ones(c, dtype: ScalarType.Float32)));
                    break;
                case AvgPoolLayerSpec ap:
                    list.Add(new LayerParams(ap, null, null));
                    h /= ap.Kernel; w /= ap.Kernel;
                    break;
                case MaxPoolLayerSpec mp:
                    list.Add(new LayerParams(mp, null, null));
                    h /= mp.Kernel; w /= mp.Kernel;
                    break;
                case ResidualLayerSpec:
                    // The second convolution starts at half the He scale, so that deep residual stacks do not blow up.
                    list.Add(new LayerParams(layer, He(c * 9, 1, c, c, 3, 3), Bias(c), He(c * 9, 0.5, c, c, 3, 3), Bias(c)));
                    relus += 2L * c * h * w;
                    break;
                case DenseLayerSpec d:
                    long inputs = Size();
                    list.Add(new LayerParams(d, He(inputs, 1, d.Width, inputs), Bias(d.Width)));
                    flat = d.Width;
                    break;
                default:
                    throw new ArgumentException($"unknown layer {layer}");
            }
        }
        Layers = list;
        Relus = relus;
    }

    /// <summary>The trainable parameters.</summary>
    public IEnumerable<Parameter> Parameters() =>
        Layers.SelectMany(l => new[] { l.Weight, l.Bias, l.Weight2, l.Bias2 }).Where(p => p is not null).Select(p => p!);

    /// <summary>Number of weights and biases.</summary>
    public long ParameterCount => Parameters().Sum(p => p.numel());

    /// <summary>Logits [n, classes] of images [n, C, H, W]; <paramref name="training"/> uses (and updates) batch statistics.</summary>
    public Tensor Forward(Tensor x, bool training)
    {
        var h = x;
        foreach (var l in Layers)
        {
            h = l.Spec switch
            {
                ConvLayerSpec cv => nn.functional.conv2d(h, l.Weight!, l.Bias!, strides: new long[] { cv.Stride, cv.Stride }, padding: new long[] { cv.Padding, cv.Padding }),
                ReluLayerSpec => h.relu(),
                BatchNormLayerSpec => BatchNorm(h, l, training),
                AvgPoolLayerSpec ap => nn.functional.avg_pool2d(h, new long[] { ap.Kernel, ap.Kernel }, new long[] { ap.Kernel, ap.Kernel }),
                MaxPoolLayerSpec mp => nn.functional.max_pool2d(h, new long[] { mp.Kernel, mp.Kernel }, new long[] { mp.Kernel, mp.Kernel }),
                ResidualLayerSpec => (Conv3(Conv3(h, l.Weight!, l.Bias!).relu(), l.Weight2!, l.Bias2!) + h).relu(),
                DenseLayerSpec => nn.functional.linear(h.dim() > 2 ? h.flatten(1) : h, l.Weight!, l.Bias!),
                _ => throw new InvalidOperationException(),
            };
        }
        return h;
    }

    static Tensor Conv3(Tensor x, Tensor w, Tensor b) => nn.functional.conv2d(x, w, b, padding: new long[] { 1, 1 });

    static Tensor BatchNorm(Tensor x, LayerParams l, bool training)
    {
        Tensor mean, variance;
        if (training)
        {
            mean = x.mean(new long[] { 0, 2, 3 });
            variance = x.var(new long[] { 0, 2, 3 }, unbiased: false);
            using (no_grad())
            {
                long n = x.numel() / x.shape[1];
                l.RunningMean!.mul_(0.9).add_(mean.detach() * 0.1);
                l.RunningVar!.mul_(0.9).add_(variance.detach() * (0.1 * n / Math.Max(1, n - 1)));
            }
        }
        else
        {
            mean = l.RunningMean!;
            variance = l.RunningVar!;
        }
        var scale = l.Weight! / (variance + BatchNormEpsilon).sqrt();
        var shift = l.Bias! - mean * scale;
        return x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var l in Layers)
        {
            l.Weight?.Dispose(); l.Bias?.Dispose(); l.Weight2?.Dispose(); l.Bias2?.Dispose();
            l.RunningMean?.Dispose(); l.RunningVar?.Dispose();
        }
    }
}
