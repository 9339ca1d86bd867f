using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>BatchNorm's learnable scale and shift and its running statistics (per channel or feature).</summary>
public sealed class BatchNormParameters : nn.Module
{
    /// <summary>Creates the parameters for <paramref name="features"/> channels on a device.</summary>
    public BatchNormParameters(long features, Device device) : base("BatchNorm")
    {
        register_parameter("weight", new TorchSharp.Modules.Parameter(torch.ones(features, device: device)));
        register_parameter("bias", new TorchSharp.Modules.Parameter(torch.zeros(features, device: device)));
        register_buffer("running_mean", torch.zeros(features, device: device));
        register_buffer("running_var", torch.ones(features, device: device));
    }

    /// <summary>Scale gamma.</summary>
    public Tensor Gamma => get_parameter("weight")!;

    /// <summary>Shift beta.</summary>
    public Tensor Beta => get_parameter("bias")!;

    /// <summary>Running mean.</summary>
    public Tensor RunningMean => get_buffer("running_mean")!;

    /// <summary>Running (unbiased) variance.</summary>
    public Tensor RunningVar => get_buffer("running_var")!;
}
