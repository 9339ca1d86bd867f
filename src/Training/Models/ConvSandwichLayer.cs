using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// Wang and Manchester's (2023) convolutional sandwich layer on n×n images with circular convolutions, 1-Lipschitz in
/// l2 for any parameters: h ↦ √2 Aᵀ Ψ ReLU(√2 Ψ⁻¹ B h + b), where A and B are circulant multi-channel convolutions
/// whose blocks at every spatial frequency k come from one complex Cayley transform,
/// [A_kᴴ; B_kᴴ] = Cayley(α F_k / ‖W‖_F) with F_k the DFT of a free k×k kernel W [q + p, q] zero-padded to n×n,
/// so A_k A_kᴴ + B_k B_kᴴ = I; Ψ = diag(e^d) and b are per channel.
/// </summary>
public sealed class ConvSandwichLayer : nn.Module
{
    /// <summary>A layer from <paramref name="inputs"/> to <paramref name="outputs"/> channels on <paramref name="size"/>² images, free kernel <paramref name="kernel"/>².</summary>
    public ConvSandwichLayer(string name, long inputs, long outputs, long size, long kernel, Device device) : base(name)
    {
        if (kernel < 1 || kernel > size) throw new ArgumentException($"kernel {kernel} must be in 1..{size}");
        Inputs = inputs;
        Outputs = outputs;
        Size = size;
        var w = torch.empty(new[] { outputs + inputs, outputs, kernel, kernel }, device: device);
        nn.init.xavier_normal_(w);
        var scale = w.norm().reshape(1);
        Free = nn.Parameter(w);
        Scale = nn.Parameter(scale);
        LogPsi = nn.Parameter(torch.zeros(outputs, device: device));
        Bias = nn.Parameter(torch.zeros(outputs, device: device));
        register_parameter("free", Free);
        register_parameter("scale", Scale);
        register_parameter("log_psi", LogPsi);
        register_parameter("bias", Bias);
    }

    /// <summary>Input channels p.</summary>
    public long Inputs { get; }

    /// <summary>Output channels q.</summary>
    public long Outputs { get; }

    /// <summary>The image side n.</summary>
    public long Size { get; }

    /// <summary>The free kernel W [q + p, q, k, k].</summary>
    public Parameter Free { get; }

    /// <summary>The weight-normalisation scale α.</summary>
    public Parameter Scale { get; }

    /// <summary>d, with Ψ = diag(exp d) over the output channels.</summary>
    public Parameter LogPsi { get; }

    /// <summary>The per-channel bias b inside the ReLU.</summary>
    public Parameter Bias { get; }

    /// <summary>The half-spectrum blocks [n, n/2 + 1, ·, ·] of A (q×q) and B (q×p) of the current parameters.</summary>
    public (Tensor A, Tensor B) Factors()
    {
        long k = Free.shape[2];
        var padded = nn.functional.pad(Scale * Free / Free.norm(), new[] { 0L, Size - k, 0, Size - k });
        var f = torch.fft.rfft2(padded).permute(2, 3, 0, 1); // [n, m, q + p, q]
        var q = Cayley.Unitary(f);
        var u = q.narrow(-2, 0, Outputs);       // A_kᴴ
        var v = q.narrow(-2, Outputs, Inputs);  // B_kᴴ
        return (Cayley.Adjoint(u), Cayley.Adjoint(v));
    }

    /// <summary>The layer on [batch, p, n, n].</summary>
    public Tensor Forward(Tensor h)
    {
        var (a, b) = Factors();
        var psi = LogPsi.exp().reshape(1, -1, 1, 1);
        var u = Math.Sqrt(2) * Circulant.Apply(b, h) / psi + Bias.reshape(1, -1, 1, 1);
        return Math.Sqrt(2) * Circulant.Apply(Cayley.Adjoint(a), nn.functional.relu(u) * psi);
    }

    /// <summary>
    /// The layer as two circulant maps around the ReLU, as half-spectrum blocks (complex128, CPU): In = √2 Ψ⁻¹ B
    /// [.., q, p] with the bias b, and Out = √2 Aᴴ Ψ [.., q, q], so the layer is h ↦ Out · ReLU(In · h + b).
    /// </summary>
    public (Tensor In, Tensor Bias, Tensor Out) Explicit()
    {
        var (a, b) = Factors();
        var psi = LogPsi.detach().to(ScalarType.Float64).cpu().exp().to(ScalarType.ComplexFloat64);
        var a64 = a.detach().cpu().to(ScalarType.ComplexFloat64);
        var b64 = b.detach().cpu().to(ScalarType.ComplexFloat64);
        var input = Math.Sqrt(2) * b64 / psi.reshape(-1, 1);
        var output = Math.Sqrt(2) * Cayley.Adjoint(a64) * psi.reshape(1, -1);
        return (input, Bias.detach().to(ScalarType.Float64).cpu(), output);
    }
}
