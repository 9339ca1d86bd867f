using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// The smallest ρ with M(ρ, λ) ⪯ 0 for fixed multipliers, by the Schur complement: with M = [[Q − ρI, Cᵀ], [C, N]]
/// (Q ≠ 0 only when the first hidden layer is a pair layer) and N ≺ 0, M ⪯ 0 ⇔ ρ ≥ λ_max(P), P = Q + Cᵀ(−N)⁻¹C. Each eigenpair (σ, u) of P gives z = (u, (−N)⁻¹Cu) with
/// zᵀM(σ, λ)z = 0, whose terms are the gradient of σ in λ (and a supporting cut of the feasible set).
/// </summary>
internal sealed class SchurBound
{
    SchurBound(bool feasible, double[] values, Vector<double>[] vectors)
    {
        Feasible = feasible;
        Values = values;
        Vectors = vectors;
    }

    /// <summary>Whether N(λ) is negative definite (otherwise no ρ makes M negative semidefinite).</summary>
    public bool Feasible { get; }

    /// <summary>Eigenvalues of P, largest first (empty when infeasible).</summary>
    public double[] Values { get; }

    /// <summary>
    /// When feasible, the vectors z_j = (u_j, (−N)⁻¹C u_j) of the eigenpairs, |u_j| = 1, in the order of
    /// <see cref="Values"/>; when infeasible, (0, w) for the top eigenvectors w of N (violated directions).
    /// </summary>
    public Vector<double>[] Vectors { get; }

    /// <summary>λ_max(P), or +∞ when infeasible.</summary>
    public double Rho => Feasible ? Values[0] : double.PositiveInfinity;

    /// <summary>Computes the bound for per-neuron multipliers; keeps at most <paramref name="vectors"/> vectors.</summary>
    public static SchurBound Compute(LipSdpProblem problem, IReadOnlyList<double> lambda, int vectors)
    {
        var n = problem.HiddenBlock(lambda);
        var negN = -n;
        var chol = TryCholesky(negN);
        int n0 = problem.InputSize;
        if (chol is null)
        {
            var evd = n.Evd(Symmetricity.Symmetric);
            var order = Descending(evd);
            var list = new List<Vector<double>>();
            foreach (int j in order)
            {
                if (list.Count >= vectors || (evd.EigenValues[j].Real < 0 && list.Count > 0)) break;
                var z = Vector<double>.Build.Dense(problem.Dimension);
                z.SetSubVector(n0, problem.Hidden, evd.EigenVectors.Column(j));
                list.Add(z);
            }
            return new SchurBound(false, Array.Empty<double>(), list.ToArray());
        }
        var c = Matrix<double>.Build.Dense(problem.Hidden, n0);
        c.SetSubMatrix(0, 0, problem.InputCoupling(lambda));
        var solved = chol.Solve(c);                // (−N)⁻¹C
        var p = c.TransposeThisAndMultiply(solved) + problem.InputQuadratic(lambda);
        p = (p + p.Transpose()) * 0.5;
        var pe = p.Evd(Symmetricity.Symmetric);
        var desc = Descending(pe);
        int count = Math.Min(vectors, n0);
        var values = desc.Select(j => pe.EigenValues[j].Real).ToArray();
        var zs = new Vector<double>[count];
        for (int j = 0; j < count; j++)
        {
            var u = pe.EigenVectors.Column(desc[j]);
            var z = Vector<double>.Build.Dense(problem.Dimension);
            z.SetSubVector(0, n0, u);
            z.SetSubVector(n0, problem.Hidden, solved * u);
            zs[j] = z;
        }
        return new SchurBound(true, values, zs);
    }

    /// <summary>Eigenvalue indices, largest first.</summary>
    internal static int[] Descending(MathNet.Numerics.LinearAlgebra.Factorization.Evd<double> evd) =>
        Enumerable.Range(0, evd.EigenValues.Count).OrderByDescending(j => evd.EigenValues[j].Real).ToArray();

    static MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? TryCholesky(Matrix<double> m)
    {
        for (int i = 0; i < m.RowCount; i++)
            if (!(m[i, i] > 0)) return null;
        try
        {
            var chol = m.Cholesky();
            var d = chol.Factor.Diagonal();
            return d.All(x => x > 0 && double.IsFinite(x)) ? chol : null;
        }
        catch (ArgumentException) { return null; }
    }
}
