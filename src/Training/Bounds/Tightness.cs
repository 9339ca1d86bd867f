using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>
/// IBP tightness (Mao et al. 2024) at sample points: the ratio of the optimal box radius of the network's local
/// linearisation (|J|·1, J the input Jacobian of the logits, activation pattern of the point) to the radius IBP gives
/// the same linear map (the product of the layers' |W| with the pattern), averaged over outputs and points. It is 1
/// for an exact IBP and tiny when IBP overestimates.
/// </summary>
public static class Tightness
{
    /// <summary>The mean ratio over the batch x [n, ...] (evaluation mode).</summary>
    public static double Measure(Network net, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var state = RunState.Eval();
        var input = x.detach().requires_grad_(true);
        var logits = net.Forward(input, state);
        long classes = logits.shape[1];
        var optimal = new List<Tensor>();
        for (long k = 0; k < classes; k++)
        {
            var g = torch.autograd.grad(new[] { logits[.., k].sum() }, new[] { input }, retain_graph: true)[0];
            optimal.Add(g.abs().flatten(1).sum(1));
        }
        var opt = torch.stack(optimal, 1);
        using var noGrad = torch.no_grad();
        var h = x.detach();
        var radius = torch.ones_like(h);
        foreach (var layer in net.Layers)
        {
            if (layer is ReluLayer)
            {
                radius = radius * (h > 0).to_type(radius.dtype);
            }
            else
            {
                // An affine layer's radius map is its interval rule at centre 0 (|W| r, |scale| r).
                radius = layer.Interval(torch.zeros_like(radius), radius, state).Radius;
            }
            h = layer.Forward(h, state);
        }
        var ratio = opt / radius.clamp_min(1e-30);
        return torch.where(radius > 0, ratio, torch.ones_like(ratio)).mean().item<float>();
    }
}
