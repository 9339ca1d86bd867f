using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>Differentiable interval bound propagation through a <see cref="Network"/>.</summary>
public static class IbpPass
{
    /// <summary>
    /// Centre and radius of the box at the input of every layer (index i: input of layer i), for the input box
    /// [lower, upper]; the last entry is the input of the last (linear) layer.
    /// </summary>
    public static (Tensor Center, Tensor Radius)[] LayerInputs(Network net, Tensor lower, Tensor upper, RunState state)
    {
        var boxes = new (Tensor, Tensor)[net.Layers.Count];
        var c = (upper + lower) / 2;
        var r = (upper - lower) / 2;
        for (int i = 0; i < net.Layers.Count; i++)
        {
            boxes[i] = (c, r);
            if (i < net.Layers.Count - 1) (c, r) = net.Layers[i].Interval(c, r, state);
        }
        return boxes;
    }

    /// <summary>
    /// Lower bounds [batch, specs] of C·logits with C [batch, specs, classes] folded into the last layer, given the
    /// boxes from <see cref="LayerInputs"/>.
    /// </summary>
    public static Tensor SpecLower(Network net, (Tensor Center, Tensor Radius)[] boxes, Tensor c)
    {
        var (center, radius) = boxes[^1];
        var w = c.matmul(net.Last.Weight);
        var b = c.matmul(net.Last.Bias);
        return w.matmul(center.unsqueeze(2)).squeeze(2) + b - w.abs().matmul(radius.unsqueeze(2)).squeeze(2);
    }

    /// <summary>Lower bounds of the margins z_y - z_j over the L-inf ball of radius eps (clipped to [0,1]).</summary>
    public static Tensor MarginLower(Network net, Tensor x, Tensor labels, double eps, RunState state)
    {
        var (lo, hi) = PixelBall.Of(x, eps);
        var boxes = LayerInputs(net, lo, hi, state);
        return SpecLower(net, boxes, MarginSpec.Matrix(labels, net.Last.Weight.shape[0]));
    }
}
