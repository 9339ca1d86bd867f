using System.Diagnostics;
using Verify.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Lipschitz;

/// <summary>
/// Local l∞ Lipschitz constant of a network over a box, L = max_j sup_x ‖∇f_j(x)‖₁, by every requested method next to
/// the sampled lower bound, plus the provably monotone input-output pairs.
/// </summary>
public static class LipschitzAnalysis
{
    /// <summary>Runs the analysis over the box [lower, upper].</summary>
    public static LipschitzReport Run(LipschitzNetwork net, double[] lower, double[] upper, LipschitzOptions options)
    {
        if (lower.Length != net.Dense.InputSize || upper.Length != net.Dense.InputSize)
            throw new VerifyException($"the region has {lower.Length} inputs but the network takes {net.Dense.InputSize}");
        for (int i = 0; i < lower.Length; i++)
            if (!(lower[i] <= upper[i])) throw new VerifyException($"empty or invalid region at input {i}: [{lower[i]}, {upper[i]}]");
        if (options.Output is { } o && (o < 0 || o >= net.Dense.OutputSize))
            throw new VerifyException($"output {o} does not exist (the network has {net.Dense.OutputSize} outputs)");
        bool needsRelu = options.Methods.Any(m => m is LipschitzMethod.Mip or LipschitzMethod.Bab);
        if (needsRelu && !net.HasZeroOneSlopes)
            throw new VerifyException("the MILP and branch-and-bound need a ReLU network (this one has activations of another shape: "
                + string.Join(", ", Enumerable.Range(0, net.HiddenLayers).Select(net.ActivationOf).Where(a => a.PiecewiseLinear is not { NegativeSlope: 0 }).Select(a => a.OpType).Distinct()) + ")");
        using var scope = NewDisposeScope();
        var outputs = options.Output is { } single ? new[] { single } : Enumerable.Range(0, net.Dense.OutputSize).ToArray();

        var clock = Stopwatch.StartNew();
        var sampledAll = SampledLowerBound.PerOutput(net, lower, upper, options.Sampling);
        var sampled = outputs.Select(j => sampledAll[j]).ToArray();
        double samplingSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var forward = options.ForwardOptimization is { } optimization
            ? ForwardBounds.Optimized(net, lower, upper, optimization, Budget.Seconds(options.TimeoutSeconds))
            : ForwardBounds.Compute(net, lower, upper);
        var slopes = Enumerable.Range(0, net.HiddenLayers).Select(k => net.ActivationOf(k).SlopeRange(forward[k])).ToArray();
        double forwardSeconds = clock.Elapsed.TotalSeconds;
        int unstable = slopes.Sum(s => (int)(s.Lower < s.Upper).sum().item<long>());

        var cache = new Dictionary<JacobianMethod, (JacobianBoundResult Result, double Seconds)>();
        (JacobianBoundResult Result, double Seconds) Jacobian(JacobianMethod m)
        {
            if (cache.TryGetValue(m, out var hit)) return hit;
            var c = Stopwatch.StartNew();
            var r = JacobianBounds.Compute(net, slopes, outputs, m);
            if (r.NormUpper.isnan().any().item<bool>()) throw new InvalidOperationException("NaN in the Jacobian bounds");
            return cache[m] = (r, c.Elapsed.TotalSeconds + forwardSeconds);
        }

        var figures = new List<MethodFigures>();
        foreach (var method in options.Methods.Distinct())
        {
            switch (method)
            {
                case LipschitzMethod.Naive:
                {
                    var c = Stopwatch.StartNew();
                    var all = NaiveBound.PerOutput(net.Dense);
                    figures.Add(new MethodFigures(method, outputs.Select(j => all[j]).ToArray(), Exact(outputs.Length, false), c.Elapsed.TotalSeconds, ""));
                    break;
                }
                case LipschitzMethod.Ibp or LipschitzMethod.RecurJac or LipschitzMethod.Crown:
                {
                    var jm = method switch { LipschitzMethod.Ibp => JacobianMethod.Ibp, LipschitzMethod.RecurJac => JacobianMethod.RecurJac, _ => JacobianMethod.Crown };
                    var (r, s) = Jacobian(jm);
                    var up = r.NormUpper.data<double>().ToArray();
                    // With no unstable neuron the Jacobian is constant and every relaxation is exact.
                    figures.Add(new MethodFigures(method, up, Exact(outputs.Length, unstable == 0 && net.IsPiecewiseLinear), s, ""));
                    break;
                }
                case LipschitzMethod.Mip:
                    figures.Add(RunMip(net, lower, upper, options, outputs, forward, Jacobian(JacobianMethod.Crown), sampled));
                    break;
                case LipschitzMethod.Bab:
                    figures.Add(RunBab(net, lower, upper, options, outputs, forward, Jacobian(JacobianMethod.Crown), sampled));
                    break;
            }
        }

        var monotone = new List<MonotonePair>();
        var gradient = Jacobian(JacobianMethod.Crown).Result.InputGradient;
        var gl = gradient.Lower.data<double>().ToArray();
        var gu = gradient.Upper.data<double>().ToArray();
        int n = net.Dense.InputSize;
        for (int a = 0; a < outputs.Length; a++)
            for (int i = 0; i < n; i++)
                if (gl[a * n + i] >= 0 || gu[a * n + i] <= 0)
                    monotone.Add(new MonotonePair(outputs[a], i, gl[a * n + i], gu[a * n + i]));
        return new LipschitzReport(outputs, sampled, samplingSeconds, figures, monotone, unstable);
    }

    static bool[] Exact(int n, bool value) => Enumerable.Repeat(value, n).ToArray();

    static (double[] L, double[] U) Row(IntervalBounds b, int row) =>
        (b.Lower[row].data<double>().ToArray(), b.Upper[row].data<double>().ToArray());

    /// <summary>Outputs in decreasing order of their CROWN bound (the likely maximisers first).</summary>
    static int[] Order(double[] crown) => Enumerable.Range(0, crown.Length).OrderByDescending(a => crown[a]).ToArray();

    /// <summary>
    /// Time for the next of <paramref name="remaining"/> outputs: an even share, or, when only the overall constant
    /// matters, all but a second for each later output (the outputs come largest bound first; the later ones are
    /// usually pruned at once).
    /// </summary>
    static double Share(double left, int remaining, bool overallOnly) =>
        overallOnly ? Math.Max(0.5, left - 1.0 * (remaining - 1)) : left / remaining;

    static MethodFigures RunMip(LipschitzNetwork net, double[] lower, double[] upper, LipschitzOptions options, int[] outputs,
        IntervalBounds[] forward, (JacobianBoundResult Result, double Seconds) crown, double[] sampled)
    {
        var clock = Stopwatch.StartNew();
        var fw = forward.Select(f => Row(f, 0)).ToArray();
        var crownUpper = crown.Result.NormUpper.data<double>().ToArray();
        var up = (double[])crownUpper.Clone();
        var exact = new bool[outputs.Length];
        // A value attained by any output (sampled or exact) bounds from below the overall constant.
        double attained = sampled.Max();
        int skipped = 0, solved = 0, rejected = 0;
        var order = Order(crownUpper);
        for (int r = 0; r < order.Length; r++)
        {
            int a = order[r];
            if (options.OverallOnly && crownUpper[a] <= attained) { skipped++; exact[a] = crownUpper[a] <= sampled[a]; continue; }
            double left = Math.Max(1, (options.MipTimeoutSeconds ?? options.TimeoutSeconds) - clock.Elapsed.TotalSeconds);
            var hidden = crown.Result.Hidden.Select(h => Row(h, a)).ToArray();
            var result = LipschitzMip.Solve(net, lower, upper, fw, hidden, Row(crown.Result.InputGradient, a), outputs[a],
                Share(left, order.Length - r, options.OverallOnly));
            solved++;
            if (result.Upper < sampled[a] - 1e-7 * (1 + Math.Abs(sampled[a])))
            {
                // The solver's bound is below a value attained in the box: its answer is wrong, keep CROWN's bound.
                rejected++;
                continue;
            }
            up[a] = Math.Min(result.Upper, crownUpper[a]);
            exact[a] = result.Exact;
            if (result.Exact) attained = Math.Max(attained, result.Value);
        }
        string detail = skipped > 0 ? $"{solved} MILPs, {skipped} outputs skipped (CROWN bound below an exact value)" : $"{solved} MILPs";
        if (rejected > 0) detail += $", {rejected} rejected (bound below a sampled value)";
        return new MethodFigures(LipschitzMethod.Mip, up, exact, clock.Elapsed.TotalSeconds + crown.Seconds, detail);
    }

    static MethodFigures RunBab(LipschitzNetwork net, double[] lower, double[] upper, LipschitzOptions options, int[] outputs,
        IntervalBounds[] forward, (JacobianBoundResult Result, double Seconds) crown, double[] sampled)
    {
        var clock = Stopwatch.StartNew();
        var crownUpper = crown.Result.NormUpper.data<double>().ToArray();
        var up = (double[])crownUpper.Clone();
        // With no unstable neuron, or CROWN meeting the sampled value, the bound is already exact.
        var exact = crownUpper.Select((c, a) => net.HiddenLayers == 0 || c <= sampled[a]).ToArray();
        // For the overall constant only, an output whose CROWN bound is below a value attained by another output
        // cannot attain the maximum: it keeps its (sound, inexact) CROWN bound, as the MILP's skipped outputs do.
        double attained = sampled.Max();
        var open = Enumerable.Range(0, outputs.Length).Where(a => !exact[a] && !(options.OverallOnly && crownUpper[a] <= attained)).ToArray();
        string detail = "no branching needed";
        if (open.Length > 0)
        {
            var results = LipschitzBab.Run(net, lower, upper, open.Select(a => outputs[a]).ToArray(), open.Select(a => sampled[a]).ToArray(),
                new LipschitzBabOptions(options.TimeoutSeconds, options.BabBatchSize), options.OverallOnly,
                new BabRoot(forward, crown.Result, open.Select(a => (long)a).ToArray()));
            for (int r = 0; r < open.Length; r++)
            {
                up[open[r]] = Math.Min(results[r].Upper, crownUpper[open[r]]);
                exact[open[r]] = results[r].Complete;
            }
            detail = $"{results[0].Domains} domains, {results[0].UnreachableLeaves} unreachable leaves";
        }
        return new MethodFigures(LipschitzMethod.Bab, up, exact, clock.Elapsed.TotalSeconds + crown.Seconds, detail);
    }
}
