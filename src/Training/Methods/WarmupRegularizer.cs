using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Methods;

/// <summary>
/// Shi et al. 2021's two warm-up regularisers on the IBP boxes, averaged over the ReLU layers:
/// tightness, relu(tau - r_0 / r_i) / tau, where r_0 is the mean radius after the first affine layer and r_i the mean
/// pre-activation radius of ReLU layer i (bounds must not blow up with depth); and ReLU balance,
/// relu(tau - min(m, 1/m)) / tau, where m is the ratio of the mean pre-activation centre of the active neurons to
/// minus that of the inactive ones (neither state should dominate).
/// </summary>
public static class WarmupRegularizer
{
    /// <summary>The regulariser for the boxes from <see cref="Bounds.IbpPass.LayerInputs"/> (tau = 0.5).</summary>
    public static Tensor Compute(Network net, (Tensor Center, Tensor Radius)[] boxes, double tau = 0.5)
    {
        var device = net.Device;
        var total = torch.zeros(Array.Empty<long>(), device: device);
        int firstAffine = Enumerable.Range(0, net.Layers.Count).First(i => net.Layers[i] is LinearLayer or ConvLayer);
        var r0 = boxes[firstAffine + 1].Radius.mean();
        int count = 0;
        for (int i = 0; i < net.Layers.Count; i++)
        {
            if (net.Layers[i] is not ReluLayer) continue;
            var (center, radius) = boxes[i];
            total = total + nn.functional.relu(tau - r0 / radius.mean().clamp_min(1e-12)) / tau;
            var l = center - radius;
            var u = center + radius;
            var active = (l > 0).to_type(center.dtype);
            var inactive = (u < 0).to_type(center.dtype);
            var meanActive = (center * active).mean();
            var meanInactive = -(center * inactive).mean();
            var m = meanActive / meanInactive.clamp_min(1e-12);
            var balanced = torch.minimum(m, 1 / m.clamp_min(1e-12));
            var term = nn.functional.relu(tau - balanced) / tau;
            total = total + torch.where(term.isfinite(), term, torch.zeros_like(term));
            count++;
        }
        return count == 0 ? total : total / count;
    }
}
