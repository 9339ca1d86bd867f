using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// LipSDP (Fazlyab, Robey, Hassani, Morari, Pappas, NeurIPS 2019): a certified global l2 Lipschitz bound of a
/// feed-forward network with slope-restricted activations, min ρ s.t. M(ρ, T) ⪯ 0, L = √ρ. The reported bound always
/// comes from multipliers whose matrix was verified negative semidefinite; the LP relaxation value is reported beside it.
/// </summary>
public static class LipSdpSolver
{
    /// <summary>Solves LipSDP for the network (biases ignored; hidden activations ReLU, tanh or sigmoid).</summary>
    public static LipSdpResult Solve(DenseNetwork network, LipSdpOptions? options = null)
    {
        options ??= LipSdpOptions.Default;
        var clock = Stopwatch.StartNew();
        var problem = LipSdpProblem.From(network, options.Form);
        if (problem.Hidden == 0) return Linear(problem, options, clock);
        var reduced = problem.ReducedInput();
        var start = NaiveMultipliers.LogGroups(reduced);
        double[] groups;
        double lowerRho;
        int iterations;
        if (options.Method == LipSdpMethod.CuttingPlane)
        {
            var outcome = CuttingPlaneLipSdp.Minimize(reduced, start.Select(Math.Exp).ToArray(), options, clock);
            (groups, lowerRho, iterations) = (outcome.Groups, outcome.LowerRho, outcome.Iterations);
        }
        else
        {
            var outcome = FirstOrderLipSdp.Minimize(reduced, start, options, clock);
            groups = outcome.LogGroups.Select(Math.Exp).ToArray();
            iterations = outcome.Iterations;
            lowerRho = RelaxationOf(reduced, outcome.Vectors, options, clock);
        }
        var lambda = problem.Expand(groups);
        var rho = LipSdpCertificate.Certify(problem, reduced, lambda);
        if (rho is null)
        {
            lambda = problem.Expand(start.Select(Math.Exp).ToArray());
            rho = LipSdpCertificate.Certify(problem, reduced, lambda);
        }
        double upper = rho is null ? double.PositiveInfinity : Math.Sqrt(rho.Value);
        return new LipSdpResult(upper, Math.Sqrt(Math.Max(lowerRho, 0)), rho ?? double.PositiveInfinity, lambda,
            iterations, clock.Elapsed.TotalSeconds, options.Form, options.Method);
    }

    /// <summary>The LP value over the supporting cuts met by the descent (a valid but possibly loose lower bound).</summary>
    static double RelaxationOf(LipSdpProblem problem, List<Vector<double>> vectors, LipSdpOptions options, Stopwatch clock)
    {
        using var lp = new CutLp(problem);
        foreach (var z in vectors) lp.Add(z);
        double remaining = Math.Max(1, options.TimeLimitSeconds - clock.Elapsed.TotalSeconds);
        return lp.Solve(remaining)?.Rho ?? 0;
    }

    /// <summary>A network without hidden layers: ρ = ‖W‖², verified like any other certificate.</summary>
    static LipSdpResult Linear(LipSdpProblem problem, LipSdpOptions options, Stopwatch clock)
    {
        double rho0 = Math.Pow(problem.Last.L2Norm(), 2);
        double? rho = null;
        for (double margin = 1e-12; margin <= 1e-4 && rho is null; margin *= 10)
        {
            double r = rho0 * (1 + margin) + margin * 1e-12;
            if (LipSdpCertificate.IsNegativeSemidefinite(problem.Matrix(r, Array.Empty<double>()))) rho = r;
        }
        return new LipSdpResult(rho is null ? double.PositiveInfinity : Math.Sqrt(rho.Value), Math.Sqrt(rho0),
            rho ?? double.PositiveInfinity, Array.Empty<double>(), 0, clock.Elapsed.TotalSeconds, options.Form, options.Method);
    }
}
