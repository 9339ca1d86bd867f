namespace Verify.Lipschitz;

/// <summary>
/// The naive bound: ‖∇f_j‖₁ ≤ ‖W_L[j,:]‖₁ · Π_k ‖W_k‖_∞ · max|σ_k'| (‖Aᵀ‖₁→₁ = ‖A‖_∞→∞), a global bound, hence local.
/// </summary>
public static class NaiveBound
{
    /// <summary>The bound for each output.</summary>
    public static double[] PerOutput(DenseNetwork net)
    {
        double product = 1;
        for (int k = 0; k < net.Layers.Count - 1; k++)
            product *= InfNorm(net.Layers[k].Weight) * net.Layers[k].Activation!.MaxSlope;
        var last = net.Layers[^1].Weight;
        return Enumerable.Range(0, last.GetLength(0)).Select(j =>
        {
            double s = 0;
            for (int i = 0; i < last.GetLength(1); i++) s += Math.Abs(last[j, i]);
            return s * product;
        }).ToArray();
    }

    /// <summary>‖A‖_∞→∞: the largest absolute row sum.</summary>
    public static double InfNorm(double[,] a)
    {
        double best = 0;
        for (int r = 0; r < a.GetLength(0); r++)
        {
            double s = 0;
            for (int c = 0; c < a.GetLength(1); c++) s += Math.Abs(a[r, c]);
            best = Math.Max(best, s);
        }
        return best;
    }
}
