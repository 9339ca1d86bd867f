using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// Multi-channel circular (periodic) convolutions on n×n images in the Fourier domain: the operator y = m ⊛ x
/// (y[o, i] = Σ_c Σ_a m[o, c, a] x[c, (i − a) mod n]) is block diagonal over the spatial frequencies k,
/// Y_k = M_k X_k with M_k [out, in] the 2-D DFT of the kernel m at k.
/// </summary>
public static class Circulant
{
    /// <summary>The operator of the half-spectrum blocks <paramref name="blocks"/> [n, n/2 + 1, out, in] (complex, of a real kernel) on x [batch, in, n, n].</summary>
    public static Tensor Apply(Tensor blocks, Tensor x)
    {
        long n = x.shape[^1];
        var spectrum = torch.fft.rfft2(x);
        var y = torch.einsum("xyoc,bcxy->boxy", blocks, spectrum);
        return torch.fft.irfft2(y, s: new[] { n, n });
    }

    /// <summary>The real kernel m [out, in, n, n] of half-spectrum blocks [n, n/2 + 1, out, in].</summary>
    public static Tensor Kernel(Tensor blocks, long n) => torch.fft.irfft2(blocks.permute(2, 3, 0, 1), s: new[] { n, n });

    /// <summary>
    /// The weight of an ONNX Conv (no pads, stride 1) that computes the same operator after a wrap Pad with
    /// begins 0 and ends n − 1 on both spatial axes: w[a] = m[(−a) mod n].
    /// </summary>
    public static Tensor OnnxWeight(Tensor kernel)
    {
        long n = kernel.shape[^1];
        var index = (n - torch.arange(n, dtype: ScalarType.Int64, device: kernel.device)).remainder(n);
        return kernel.index_select(2, index).index_select(3, index);
    }

    /// <summary>
    /// The full-spectrum blocks [h, w, out, in] (complex128) of an ONNX Conv weight [out, in, kh, kw] applied with
    /// stride 1 after a wrap Pad whose begins are (bh, bw) on an h×w image, with (bh + eh, bw + ew) = (kh − 1, kw − 1)
    /// and kh ≤ h, kw ≤ w: that Conv is the circular convolution with m[(b − a) mod n] = w[a].
    /// </summary>
    public static Tensor BlocksOfConv(Tensor weight, long bh, long bw, long h, long w)
    {
        var wt = weight.to(ScalarType.Float64);
        long kh = wt.shape[2], kw = wt.shape[3];
        var rows = (bh - torch.arange(kh, dtype: ScalarType.Int64)).remainder(h);
        var cols = (bw - torch.arange(kw, dtype: ScalarType.Int64)).remainder(w);
        var m = torch.zeros(new[] { wt.shape[0], wt.shape[1], h, kw }, dtype: ScalarType.Float64).index_add_(2, rows, wt, 1);
        m = torch.zeros(new[] { wt.shape[0], wt.shape[1], h, w }, dtype: ScalarType.Float64).index_add_(3, cols, m, 1);
        return torch.fft.fft2(m).permute(2, 3, 0, 1).contiguous();
    }
}
