using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>The l∞ variant's outcome: per output j a certified bound of sup |f_j(x) − f_j(y)| / ‖x − y‖∞.</summary>
/// <param name="PerOutput">The certified bound of each output (+∞ when none verified).</param>
/// <param name="Seconds">Wall-clock time.</param>
public sealed record LinfLipSdpResult(double[] PerOutput, double Seconds)
{
    /// <summary>max_j of <see cref="PerOutput"/>: a bound of ‖f(x) − f(y)‖∞ / ‖x − y‖∞, i.e. of max_j ‖∇f_j‖₁.</summary>
    public double Bound => PerOutput.Max();
}

/// <summary>
/// An l∞ LipSDP bound: per output j, M with the input block −diag(μ) in place of −ρI and the multipliers λ of the l2
/// LipSDP-Neuron solve of f_j; M ⪯ 0 gives |Δf_j|² ≤ Σ μ_i Δx_i² ≤ (Σ μ_i)‖Δx‖∞², so √Σμ bounds f_j's l∞ constant.
/// With λ fixed the best μ solves min Σμ s.t. diag(μ) ⪰ P = Q + Cᵀ(−N)⁻¹C; this takes the better of the Gershgorin
/// choice μ_i = Σ_k |P_ik| and μ = λ_max(P)·1 (which is the l2 bound times √n), each certified by the same Cholesky
/// check. The hidden multipliers are not re-optimised for l∞ (a full l∞ SDP would be).
/// </summary>
public static class LinfLipSdp
{
    /// <summary>Bounds every output of the network.</summary>
    public static LinfLipSdpResult Solve(DenseNetwork network, LipSdpOptions options)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = network.Layers[^1];
        var bounds = new double[network.OutputSize];
        for (int j = 0; j < bounds.Length; j++)
        {
            var row = new double[1, last.Inputs];
            for (int c = 0; c < last.Inputs; c++) row[0, c] = last.Weight[j, c];
            var single = new DenseNetwork(network.Layers.Take(network.Layers.Count - 1)
                .Append(new DenseLayer(row, new[] { last.Bias[j] }, null)).ToList());
            var l2 = LipSdpSolver.Solve(single, options with { Form = LipSdpForm.Neuron });
            bounds[j] = double.IsFinite(l2.Upper) ? Bound(LipSdpProblem.From(single, LipSdpForm.Neuron), l2.Multipliers) : double.PositiveInfinity;
        }
        return new LinfLipSdpResult(bounds, clock.Elapsed.TotalSeconds);
    }

    /// <summary>√Σμ for the best verified candidate μ at fixed multipliers, or +∞.</summary>
    internal static double Bound(LipSdpProblem problem, double[] lambda)
    {
        Matrix<double> p;
        if (problem.Hidden == 0) p = problem.Last.TransposeThisAndMultiply(problem.Last);
        else
        {
            var negN = -problem.HiddenBlock(lambda);
            var c = Matrix<double>.Build.Dense(problem.Hidden, problem.InputSize);
            c.SetSubMatrix(0, 0, problem.InputCoupling(lambda));
            Matrix<double> solved;
            try { solved = negN.Cholesky().Solve(c); }
            catch (ArgumentException) { return double.PositiveInfinity; }
            p = c.TransposeThisAndMultiply(solved) + problem.InputQuadratic(lambda);
            p = (p + p.Transpose()) * 0.5;
        }
        int n = problem.InputSize;
        double top = p.Evd(Symmetricity.Symmetric).EigenValues.Max(e => e.Real);
        var candidates = new[]
        {
            Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Sum(k => Math.Abs(p[i, k]))).ToArray(),
            Enumerable.Repeat(Math.Max(top, 0), n).ToArray(),
        };
        double best = double.PositiveInfinity;
        foreach (var mu in candidates.OrderBy(m => m.Sum()))
        {
            for (double margin = 1e-10; margin <= 1e-4; margin *= 10)
            {
                var shifted = mu.Select(v => v * (1 + margin) + margin * 1e-12).ToArray();
                if (!LipSdpCertificate.IsNegativeSemidefinite(problem.Matrix(shifted, lambda))) continue;
                best = Math.Min(best, Math.Sqrt(shifted.Sum()));
                break;
            }
            if (double.IsFinite(best)) break;
        }
        return best;
    }
}
