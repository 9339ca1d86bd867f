namespace Verify.Lipschitz.Sdp;

/// <summary>
/// A strictly feasible starting point: layer multipliers t_l = (1+ε)‖W_l‖², t_k = (1+ε)β_{k+1}²‖W_k‖² t_{k+1}, for which
/// Young's inequality makes the hidden block negative definite and gives ρ ≤ (1+ε)^(l+1) × (naive bound)².
/// </summary>
internal static class NaiveMultipliers
{
    /// <summary>The per-group log-multipliers of the starting point.</summary>
    public static double[] LogGroups(LipSdpProblem problem, double epsilon = 1e-3)
    {
        int h = problem.HiddenWeights.Length;
        var logT = new double[h];
        double SquaredNorm(MathNet.Numerics.LinearAlgebra.Matrix<double> w) =>
            Math.Max(Math.Pow(w.L2Norm(), 2), 1e-30);
        logT[h - 1] = Math.Log(SquaredNorm(problem.Last) * (1 + epsilon));
        for (int k = h - 2; k >= 0; k--)
            logT[k] = logT[k + 1] + Math.Log(Math.Max(problem.Slopes[k + 1] * problem.Slopes[k + 1], 1e-30)
                * SquaredNorm(problem.HiddenWeights[k + 1]) * (1 + epsilon));
        var groups = new double[problem.GroupCount];
        for (int k = 0; k < h; k++)
            for (int i = problem.Offsets[k]; i < problem.Offsets[k + 1]; i++) groups[problem.Group[i]] = logT[k];
        return groups;
    }
}
