using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>
/// CROWN's backward linear relaxation from the specification to the input, with the IBP boxes as the ReLUs'
/// pre-activation bounds (CROWN-IBP, Zhang et al. 2020). Unstable ReLUs: upper line the chord, lower slope 1 when
/// u > -l else 0 (CROWN's adaptive choice).
/// </summary>
public static class CrownIbp
{
    /// <summary>Lower bounds [batch, specs] of C·logits for the input box [lower, upper] and the IBP layer boxes.</summary>
    public static Tensor SpecLower(Network net, (Tensor Center, Tensor Radius)[] boxes, Tensor c, Tensor lower, Tensor upper, RunState state)
    {
        var a = c.matmul(net.Last.Weight);
        var bias = c.matmul(net.Last.Bias);
        for (int i = net.Layers.Count - 2; i >= 0; i--)
        {
            var layer = net.Layers[i];
            if (layer is ReluLayer)
            {
                var (center, radius) = boxes[i];
                (a, var extra) = Relu(a, (center - radius).unsqueeze(1), (center + radius).unsqueeze(1));
                bias = bias + extra;
            }
            else
            {
                var (back, b) = layer.Backward(a, net.Shapes[i], state);
                a = back;
                if (b is not null) bias = bias + b;
            }
        }
        var mid = ((upper + lower) / 2).unsqueeze(1);
        var rad = ((upper - lower) / 2).unsqueeze(1);
        return bias + (a * mid).flatten(2).sum(2) - (a.abs() * rad).flatten(2).sum(2);
    }

    /// <summary>Coefficients through a ReLU with pre-activation bounds l, u ([batch, 1, ...]) for a lower bound (the engine's CROWN relaxation).</summary>
    static (Tensor A, Tensor Bias) Relu(Tensor a, Tensor l, Tensor u)
    {
        var r = ReluRelaxation.Relax(l, u);
        var pos = a.clamp_min(0);
        var neg = a.clamp_max(0);
        var bias = (neg * r.UpperIntercept).flatten(2).sum(2) + (pos * r.LowerIntercept).flatten(2).sum(2);
        return (pos * r.LowerSlope + neg * r.UpperSlope, bias);
    }

    static readonly Verify.Operators.Relu ReluRelaxation = new();
}
