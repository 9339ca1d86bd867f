using Verify.Operators;

namespace Verify.Lipschitz;

/// <summary>
/// A dense layer's pairwise activation (<see cref="Householder"/>, MaxMin) on flat indices: pair j is (P[j], Q[j]) with
/// direction c_j = (C1[j], C2[j]); y = x when c_jᵀx ≤ 0, else x reflected in the line c_jᵀx = 0. Every output is in one pair.
/// </summary>
/// <param name="P">First index of each pair.</param>
/// <param name="Q">Second index of each pair.</param>
/// <param name="C1">c_j's component on x_P.</param>
/// <param name="C2">c_j's component on x_Q.</param>
/// <param name="IsMaxMin">True for MaxMin.</param>
public sealed record PairActivation(int[] P, int[] Q, double[] C1, double[] C2, bool IsMaxMin)
{
    /// <summary>The flat layout of a Householder node whose per-sample shape is <paramref name="shape"/> (pairs on its last axis).</summary>
    public static PairActivation Of(Householder op, long[] shape)
    {
        long numel = shape.Aggregate(1L, (a, d) => a * d);
        int k = op.Pairs, rows = (int)(numel / (2L * k));
        var p = new int[rows * k];
        var q = new int[rows * k];
        var c1 = new double[rows * k];
        var c2 = new double[rows * k];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < k; j++)
            {
                int t = r * k + j;
                p[t] = r * 2 * k + j;
                q[t] = r * 2 * k + k + j;
                c1[t] = op.First[j];
                c2[t] = op.Second[j];
            }
        return new PairActivation(p, q, c1, c2, op.IsMaxMin);
    }

    /// <summary>Number of pairs.</summary>
    public int Count => P.Length;

    /// <summary>The unit vector â_j = c_j/|c_j| (the reflected direction) and its normal b̂_j = (−â2, â1), per pair.</summary>
    public (double A1, double A2, double B1, double B2) Directions(int j)
    {
        double norm = Math.Sqrt(C1[j] * C1[j] + C2[j] * C2[j]);
        double a1 = C1[j] / norm, a2 = C2[j] / norm;
        return (a1, a2, -a2, a1);
    }

    /// <summary>Applies the activation to a vector (double precision).</summary>
    public double[] Apply(double[] z)
    {
        var y = (double[])z.Clone();
        for (int j = 0; j < Count; j++)
        {
            double s = C1[j] * z[P[j]] + C2[j] * z[Q[j]];
            if (s <= 0) continue;
            double n2 = C1[j] * C1[j] + C2[j] * C2[j];
            y[P[j]] = z[P[j]] - 2 * C1[j] * s / n2;
            y[Q[j]] = z[Q[j]] - 2 * C2[j] * s / n2;
        }
        if (IsMaxMin)
            for (int j = 0; j < Count; j++)
            {
                // exact values: the reflection of (a, b) in a 45° line is the swap
                double a = z[P[j]], b = z[Q[j]];
                bool maxFirst = C1[j] < 0;
                y[P[j]] = maxFirst ? Math.Max(a, b) : Math.Min(a, b);
                y[Q[j]] = maxFirst ? Math.Min(a, b) : Math.Max(a, b);
            }
        return y;
    }

    /// <summary>The Jacobian at z (identity or the 2×2 reflection per pair; at c_jᵀz = 0 the identity).</summary>
    public double[,] Jacobian(double[] z)
    {
        int n = z.Length;
        var j2 = new double[n, n];
        for (int i = 0; i < n; i++) j2[i, i] = 1;
        for (int j = 0; j < Count; j++)
        {
            double s = C1[j] * z[P[j]] + C2[j] * z[Q[j]];
            if (s <= 0) continue;
            var (a1, a2, _, _) = Directions(j);
            j2[P[j], P[j]] = 1 - 2 * a1 * a1;
            j2[P[j], Q[j]] = -2 * a1 * a2;
            j2[Q[j], P[j]] = -2 * a1 * a2;
            j2[Q[j], Q[j]] = 1 - 2 * a2 * a2;
        }
        return j2;
    }
}
