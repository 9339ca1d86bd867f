using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>
/// The sampled hyperplane arrangements of the convex program: neuron j uses pattern D_p (p = j / 2), the diagonal
/// 1[X h_p + c_p >= 0] of a Gaussian hyperplane (h_p, c_p) ~ N(0, I) over [x, 1] (Pilanci and Ergen's sampling, the
/// linear-complexity procedure Bai et al. analyse), and enters the prediction with sign +1 (even j, the u block) or
/// -1 (odd j, the v block).
/// </summary>
/// <param name="D">Pattern of every neuron, [n, N], 0/1 in the data's dtype.</param>
/// <param name="Signs">Output sign of every neuron, [N], ±1.</param>
public sealed record ActivationPatterns(Tensor D, Tensor Signs)
{
    /// <summary>Neurons N.</summary>
    public long Neurons => Signs.shape[0];

    /// <summary>
    /// Samples ceil(N/2) patterns for the features X [n, d]; with <paramref name="linearPattern"/>, pattern 0 is all
    /// ones (both of its neurons always active: a linear part, feasible for any eps).
    /// </summary>
    public static ActivationPatterns Sample(Tensor x, int neurons, bool linearPattern, long seed)
    {
        if (neurons < 1) throw new VerifyException($"the number of neurons must be at least 1, got {neurons}");
        using var scope = torch.NewDisposeScope();
        var gen = new Generator((ulong)seed, CPU);
        long n = x.shape[0], d = x.shape[1];
        int patterns = (neurons + 1) / 2;
        var h = torch.randn(new[] { d, (long)patterns }, dtype: ScalarType.Float64, generator: gen).to(x.dtype, x.device);
        var c = torch.randn(new[] { 1, (long)patterns }, dtype: ScalarType.Float64, generator: gen).to(x.dtype, x.device);
        var pattern = (x.matmul(h) + c).ge(0).to(x.dtype);
        if (linearPattern) pattern[.., 0] = torch.ones(n, dtype: x.dtype, device: x.device);
        var index = torch.tensor(Enumerable.Range(0, neurons).Select(j => (long)(j / 2)).ToArray(), device: x.device);
        var dmat = pattern.index_select(1, index);
        var signs = torch.tensor(Enumerable.Range(0, neurons).Select(j => j % 2 == 0 ? 1.0 : -1.0).ToArray(), dtype: x.dtype, device: x.device);
        return new ActivationPatterns(dmat.MoveToOuterDisposeScope(), signs.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The patterns of weights (W, b) themselves, D_nj = 1[x_n·w_j + b_j >= 0], for neurons with non-zero weights (the
    /// others keep theirs): the arrangements of a solution, so that a new solve from it starts with every constraint
    /// violated only within eps of a hyperplane (the reference implementation's generate_D from given weights).
    /// </summary>
    public ActivationPatterns Regenerate(Tensor x, Tensor w, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var own = (x.matmul(w.t()) + b).ge(0).to(D.dtype);
        var live = w.abs().sum(1).gt(0).unsqueeze(0);
        return new ActivationPatterns(torch.where(live, own, D).MoveToOuterDisposeScope(), Signs.clone().MoveToOuterDisposeScope());
    }
}
