using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// A linear layer y = W h + c whose weight W [m, n] = Qᵀ has orthonormal rows, Q = Cayley(free [n, m]) (m ≤ n): its
/// spectral norm is 1 for any parameter values.
/// </summary>
public sealed class OrthogonalOutput : nn.Module
{
    /// <summary>A layer from <paramref name="inputs"/> to <paramref name="outputs"/> (at most inputs) features.</summary>
    public OrthogonalOutput(string name, long inputs, long outputs, Device device) : base(name)
    {
        if (outputs > inputs) throw new ArgumentException($"an orthogonal output layer needs outputs ≤ inputs, got {outputs} > {inputs}");
        var w = torch.empty(inputs, outputs, device: device);
        nn.init.xavier_normal_(w);
        Free = nn.Parameter(w);
        Bias = nn.Parameter(torch.zeros(outputs, device: device));
        register_parameter("free", Free);
        register_parameter("bias", Bias);
    }

    /// <summary>The free matrix [n, m].</summary>
    public Parameter Free { get; }

    /// <summary>The bias c.</summary>
    public Parameter Bias { get; }

    /// <summary>W [m, n], with orthonormal rows.</summary>
    public Tensor Weight() => Cayley.Orthonormal(Free).t();

    /// <summary>y = W h + c on [batch, n].</summary>
    public Tensor Forward(Tensor h) => h.matmul(Cayley.Orthonormal(Free)) + Bias;
}
