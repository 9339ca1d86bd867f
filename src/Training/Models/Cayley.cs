using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// The Cayley transform of a free tall matrix: for W = [X; Y] with X [n, n] and Y [m, n], Z = X - Xᵀ + YᵀY and
/// Q = [(I + Z)⁻¹(I - Z); -2 Y (I + Z)⁻¹] [n + m, n] has orthonormal columns (QᵀQ = I) for any W
/// (I + Z is invertible: its symmetric part I + YᵀY is positive definite).
/// </summary>
public static class Cayley
{
    /// <summary>Q with orthonormal columns, from <paramref name="w"/> [n + m, n] (rows 0..n-1 are X, the rest Y).</summary>
    public static Tensor Orthonormal(Tensor w)
    {
        long n = w.shape[1];
        if (w.shape[0] < n) throw new ArgumentException($"Cayley needs a tall matrix, got [{w.shape[0]}, {n}]");
        var x = w.narrow(0, 0, n);
        var y = w.narrow(0, n, w.shape[0] - n);
        var eye = torch.eye(n, dtype: w.dtype, device: w.device);
        var z = x - x.t() + y.t().matmul(y);
        var u = torch.linalg.solve(eye + z, eye - z);
        // V = -2 Y (I + Z)^-1, i.e. Vᵀ = -2 (I + Z)^-ᵀ Yᵀ
        var v = -2 * torch.linalg.solve((eye + z).t(), y.t()).t();
        return torch.cat(new[] { u, v }, 0);
    }

    /// <summary>
    /// The complex Cayley transform, batched over the leading axes: for W [..., n + m, n] complex,
    /// Z = X − Xᴴ + YᴴY and Q = [(I + Z)⁻¹(I − Z); −2Y(I + Z)⁻¹] has orthonormal columns (QᴴQ = I).
    /// </summary>
    public static Tensor Unitary(Tensor w)
    {
        long n = w.shape[^1];
        if (w.shape[^2] < n) throw new ArgumentException($"Cayley needs tall matrices, got [{w.shape[^2]}, {n}]");
        var x = w.narrow(-2, 0, n);
        var y = w.narrow(-2, n, w.shape[^2] - n);
        var eye = torch.eye(n, dtype: w.dtype, device: w.device);
        var z = x - Adjoint(x) + Adjoint(y).matmul(y);
        var u = torch.linalg.solve(eye + z, eye - z);
        var v = -2 * Adjoint(torch.linalg.solve(Adjoint(eye + z), Adjoint(y)));
        return torch.cat(new[] { u, v }, -2);
    }

    /// <summary>The conjugate transpose of the last two axes.</summary>
    public static Tensor Adjoint(Tensor a) => a.transpose(-2, -1).conj().resolve_conj();
}
