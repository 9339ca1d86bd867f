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
    /// <summary>Cutting-plane rounds after the descent, which give its LP lower bound (and may improve the point).</summary>
    const int PolishRounds = 40;

    /// <summary>The last vectors met by the descent that seed those rounds' cuts.</summary>
    const int PolishCuts = 400;

    /// <summary>Solves LipSDP for the network (biases ignored; hidden activations ReLU, tanh, sigmoid, MaxMin or Householder).</summary>
    public static LipSdpResult Solve(DenseNetwork network, LipSdpOptions? options = null)
    {
        options ??= LipSdpOptions.Default;
        if (!(options.Tolerance > 0) || options.MaxIterations < 0 || !(options.TimeLimitSeconds >= 0))
            throw new VerifyException($"LipSDP: tolerance must be positive and iteration/time limits non-negative (got {options})");
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
            var descent = FirstOrderLipSdp.Minimize(reduced, start, options, clock);
            var polish = CuttingPlaneLipSdp.Minimize(reduced, descent.LogGroups.Select(Math.Exp).ToArray(),
                options with { MaxIterations = PolishRounds }, clock, descent.Vectors.TakeLast(PolishCuts));
            (groups, lowerRho, iterations) = (polish.Groups, polish.LowerRho, descent.Iterations + polish.Iterations);
        }
        var lambda = problem.Expand(groups);
        var rho = LipSdpCertificate.Certify(problem, reduced, lambda);
        if (rho is null)
        {
            groups = start.Select(Math.Exp).ToArray();
            lambda = problem.Expand(groups);
            rho = LipSdpCertificate.Certify(problem, reduced, lambda);
        }
        if (rho is not null && problem.Pairs.Length > 0 && problem.Pairs[0] is not null)
        {
            var improved = problem.Expand(FeasibilityLipSdp.Improve(reduced, groups, rho.Value, lowerRho, options, clock));
            var better = LipSdpCertificate.Certify(problem, reduced, improved);
            if (better < rho) (lambda, rho) = (improved, better);
        }
        double upper = rho is null ? double.PositiveInfinity : Math.Sqrt(rho.Value);
        return new LipSdpResult(upper, Math.Sqrt(Math.Max(lowerRho, 0)), rho ?? double.PositiveInfinity, lambda,
            iterations, clock.Elapsed.TotalSeconds, options.Form, options.Method);
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
