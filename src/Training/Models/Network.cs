using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>A sequential classifier whose last layer is linear (the specification is folded into it).</summary>
public sealed class Network : nn.Module<Tensor, Tensor>
{
    /// <summary>Wraps the layers and registers their modules (parameters, buffers).</summary>
    public Network(string name, IReadOnlyList<Layer> layers, long[] inputShape) : base(name)
    {
        if (layers.Count == 0 || layers[^1] is not LinearLayer)
            throw new ArgumentException("the last layer must be linear");
        Layers = layers;
        InputShape = inputShape;
        for (int i = 0; i < layers.Count; i++)
        {
            layers[i].Index = i;
            nn.Module? m = layers[i] switch
            {
                LinearLayer l => l.Module,
                ConvLayer c => c.Module,
                BatchNormLayer b => b.Module,
                _ => null,
            };
            if (m is not null) register_module($"layer{i}", m);
        }
        Shapes = ComputeShapes();
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Per-sample input shape, e.g. [1, 28, 28].</summary>
    public long[] InputShape { get; }

    /// <summary>Per-sample input shape of every layer, plus the output shape last.</summary>
    public IReadOnlyList<long[]> Shapes { get; }

    /// <summary>The last (linear) layer.</summary>
    public LinearLayer Last => (LinearLayer)Layers[^1];

    /// <summary>Logits in evaluation mode (running BatchNorm statistics).</summary>
    public override Tensor forward(Tensor x) => Forward(x, RunState.Eval());

    /// <summary>Logits with the given BatchNorm mode.</summary>
    public Tensor Forward(Tensor x, RunState state)
    {
        foreach (var layer in Layers) x = layer.Forward(x, state);
        return x;
    }

    /// <summary>The device of the parameters.</summary>
    public Device Device => Last.Weight.device;

    IReadOnlyList<long[]> ComputeShapes()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var shapes = new List<long[]>();
        var x = torch.zeros(new long[] { 1 }.Concat(InputShape).ToArray(), device: Device);
        foreach (var layer in Layers)
        {
            shapes.Add(x.shape.Skip(1).ToArray());
            x = layer.Forward(x, RunState.Eval());
        }
        shapes.Add(x.shape.Skip(1).ToArray());
        return shapes;
    }
}
