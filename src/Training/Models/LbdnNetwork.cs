using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// A Lipschitz-bounded deep network (Wang and Manchester 2023): f(x) = √γ · W_out(S_K ∘ … ∘ S_1(√γ · x)) + c, with
/// 1-Lipschitz sandwich layers S_k and an output layer of spectral norm 1, so f is γ-Lipschitz in l2 for any
/// parameter values. Optional convolutional sandwich layers (circular, on [C, n, n] inputs) come first; then the
/// inputs are flattened for the fully connected ones.
/// </summary>
public sealed class LbdnNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>A network with the given hidden widths from inputs of <paramref name="inputShape"/> to <paramref name="classes"/> logits.</summary>
    public LbdnNetwork(string name, long[] inputShape, IReadOnlyList<long> hidden, long classes, double gamma, Device device)
        : this(name, inputShape, Array.Empty<long>(), 0, hidden, classes, gamma, device)
    {
    }

    /// <summary>
    /// A network with convolutional sandwich layers of <paramref name="channels"/> (free kernels <paramref name="kernel"/>²,
    /// circular on the [C, n, n] input), then fully connected ones of <paramref name="hidden"/> widths.
    /// </summary>
    public LbdnNetwork(string name, long[] inputShape, IReadOnlyList<long> channels, long kernel, IReadOnlyList<long> hidden, long classes,
        double gamma, Device device) : base(name)
    {
        if (!(gamma > 0) || !double.IsFinite(gamma)) throw new VerifyException($"the Lipschitz bound must be positive and finite, got {gamma}");
        if (hidden.Count + channels.Count == 0) throw new ArgumentException("an LBDN needs at least one sandwich layer");
        Gamma = gamma;
        InputShape = inputShape;
        long inputs = inputShape.Aggregate(1L, (a, b) => a * b);
        var convs = new List<ConvSandwichLayer>();
        if (channels.Count > 0)
        {
            if (inputShape.Length != 3 || inputShape[1] != inputShape[2]) throw new ArgumentException("convolutional sandwich layers need square [C, n, n] inputs");
            long c = inputShape[0];
            for (int k = 0; k < channels.Count; k++)
            {
                var conv = new ConvSandwichLayer($"conv{k}", c, channels[k], inputShape[1], kernel, device);
                register_module($"conv{k}", conv);
                convs.Add(conv);
                c = channels[k];
            }
            inputs = c * inputShape[1] * inputShape[2];
        }
        Convolutions = convs;
        var layers = new List<SandwichLayer>();
        long width = inputs;
        for (int k = 0; k < hidden.Count; k++)
        {
            var layer = new SandwichLayer($"sandwich{k}", width, hidden[k], device);
            register_module($"sandwich{k}", layer);
            layers.Add(layer);
            width = hidden[k];
        }
        Sandwiches = layers;
        Output = new OrthogonalOutput("output", width, classes, device);
        register_module("output", Output);
    }

    /// <summary>The l2 Lipschitz bound γ of the construction.</summary>
    public double Gamma { get; }

    /// <summary>Per-sample input shape, e.g. [1, 28, 28].</summary>
    public long[] InputShape { get; }

    /// <summary>The convolutional sandwich layers in order (before the fully connected ones; may be empty).</summary>
    public IReadOnlyList<ConvSandwichLayer> Convolutions { get; }

    /// <summary>The fully connected sandwich layers in order.</summary>
    public IReadOnlyList<SandwichLayer> Sandwiches { get; }

    /// <summary>The output layer.</summary>
    public OrthogonalOutput Output { get; }

    /// <summary>Number of classes.</summary>
    public long Classes => Output.Bias.shape[0];

    /// <summary>The device of the parameters.</summary>
    public Device Device => Output.Bias.device;

    /// <summary>Logits [batch, classes] of inputs [batch, ...].</summary>
    public override Tensor forward(Tensor x)
    {
        double s = Math.Sqrt(Gamma);
        var h = s * x;
        if (Convolutions.Count > 0) h = h.reshape(new[] { x.shape[0] }.Concat(InputShape).ToArray());
        foreach (var conv in Convolutions) h = conv.Forward(h);
        h = h.reshape(x.shape[0], -1);
        foreach (var layer in Sandwiches) h = layer.Forward(h);
        var w = Output.Weight();
        return s * h.matmul(w.t()) + Output.Bias;
    }
}
