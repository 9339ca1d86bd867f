using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// Wang and Manchester's (2023) fully connected sandwich layer, 1-Lipschitz in l2 for any parameter values:
/// h ↦ √2 Aᵀ Ψ ReLU(√2 Ψ⁻¹ B h + b), with [Aᵀ; Bᵀ] = Cayley(α W / ‖W‖_F) [q + p, q] (so A Aᵀ + B Bᵀ = I) and
/// Ψ = diag(exp d). Proof: with v = Ψ Δw, ReLU's slope restriction gives ‖v‖² ≤ √2 vᵀBΔh, so
/// ‖Δh‖² − ‖Δout‖² ≥ ‖Δh − √2 Bᵀv‖² ≥ 0.
/// </summary>
public sealed class SandwichLayer : nn.Module
{
    /// <summary>A sandwich layer from <paramref name="inputs"/> to <paramref name="outputs"/> features.</summary>
    public SandwichLayer(string name, long inputs, long outputs, Device device) : base(name)
    {
        Inputs = inputs;
        Outputs = outputs;
        var w = torch.empty(outputs + inputs, outputs, device: device);
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

    /// <summary>Input features p.</summary>
    public long Inputs { get; }

    /// <summary>Output features q.</summary>
    public long Outputs { get; }

    /// <summary>The free matrix W [q + p, q].</summary>
    public Parameter Free { get; }

    /// <summary>The weight-normalisation scale α.</summary>
    public Parameter Scale { get; }

    /// <summary>d, with Ψ = diag(exp d).</summary>
    public Parameter LogPsi { get; }

    /// <summary>The bias b inside the ReLU.</summary>
    public Parameter Bias { get; }

    /// <summary>A [q, q] and B [q, p] of the current parameters.</summary>
    public (Tensor A, Tensor B) Factors()
    {
        var q = Cayley.Orthonormal(Scale * Free / Free.norm());
        return (q.narrow(0, 0, Outputs).t(), q.narrow(0, Outputs, Inputs).t());
    }

    /// <summary>The layer on [batch, p].</summary>
    public Tensor Forward(Tensor h)
    {
        var (a, b) = Factors();
        var psi = LogPsi.exp();
        var u = Math.Sqrt(2) * h.matmul(b.t()) / psi + Bias;
        return Math.Sqrt(2) * (nn.functional.relu(u) * psi).matmul(a);
    }

    /// <summary>
    /// The layer as two plain affine maps around the ReLU: In = √2 Ψ⁻¹ B [q, p] with bias b, and Out = √2 Aᵀ Ψ [q, q]
    /// (no bias), so the layer is h ↦ Out · ReLU(In · h + b).
    /// </summary>
    public (Tensor In, Tensor Bias, Tensor Out) Explicit()
    {
        var (a, b) = Factors();
        var psi = LogPsi.exp();
        return (Math.Sqrt(2) * b / psi.unsqueeze(1), Bias.clone(), Math.Sqrt(2) * a.t() * psi.unsqueeze(0));
    }
}
