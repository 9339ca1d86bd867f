using TorchSharp;
using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>The one-hidden-layer ReLU classifier: Flatten, Linear(d, N), ReLU, Linear(N, classes).</summary>
public static class OneHiddenNetwork
{
    /// <summary>The model name (`--model one-hidden`).</summary>
    public const string Name = "one-hidden";

    /// <summary>A freshly initialised network of <paramref name="neurons"/> hidden neurons (for PGD and IBP training).</summary>
    public static Network Create(int neurons, int classes, long[] inputShape, InitKind init, Device device)
    {
        if (neurons < 1) throw new VerifyException($"--neurons must be at least 1, got {neurons}");
        long d = inputShape.Aggregate(1L, (a, b) => a * b);
        var layers = new List<Layer>
        {
            new FlattenLayer(), new LinearLayer(nn.Linear(d, neurons, device: device)), new ReluLayer(),
            new LinearLayer(nn.Linear(neurons, classes, device: device)),
        };
        var net = new Network(Name, layers, inputShape);
        if (init == InitKind.Ibp) ModelZoo.IbpInit(net);
        return net;
    }

    /// <summary>
    /// The network the convex solution stands for: neuron j has first-layer weights w_j and bias b_j; the second layer
    /// sums the neurons with their signs s_j (+1 for the u blocks, -1 for the v blocks), so f(x) = Σ_j s_j relu(x·w_j + b_j).
    /// Two logits (-f/2, f/2): class 1 wins exactly when f > 0, and the margin of either class is ±f.
    /// </summary>
    public static Network FromSolution(ConvexSolution solution, long[] inputShape, Device device)
    {
        var net = Create((int)solution.Patterns.Neurons, 2, inputShape, InitKind.Default, device);
        using var noGrad = torch.no_grad();
        var first = (LinearLayer)net.Layers[1];
        first.Weight.copy_(solution.W.to(ScalarType.Float32, device));
        first.Bias.copy_(solution.B.to(ScalarType.Float32, device));
        var s = solution.Patterns.Signs.to(ScalarType.Float32, device);
        net.Last.Weight.copy_(torch.stack(new[] { -s / 2, s / 2 }));
        net.Last.Bias.zero_();
        return net;
    }
}
