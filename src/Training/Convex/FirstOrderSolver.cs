using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>
/// Solves the convex program by Adam on the objective plus the exact l1 penalty rho·(1/n) Σ_nj violation_nj of the
/// robust pattern constraints (minibatches, cosine-decayed step). The penalty is exact (the penalised and the
/// constrained optima agree) once rho exceeds the largest constraint multiplier; the feasibility gap that remains
/// after finitely many steps is measured and reported, and the recovered network is evaluated as it is.
/// </summary>
public static class FirstOrderSolver
{
    /// <summary>Progress after every step: step, steps, penalised batch objective.</summary>
    public delegate void Progress(long step, long steps, double objective);

    /// <summary>Runs <see cref="ConvexOptions.Epochs"/> passes over the data, from <paramref name="start"/> when given (else small random weights).</summary>
    public static ConvexSolution Solve(ConvexData data, ActivationPatterns p, ConvexOptions options, Progress? progress = null,
        ConvexSolution? start = null, CancellationToken cancel = default)
    {
        var watch = Stopwatch.StartNew();
        var device = data.X.device;
        var dtype = data.X.dtype;
        var gen = new Generator((ulong)options.Seed + 17, CPU);
        long n = data.Count, d = data.Features, neurons = p.Neurons;
        // A Parameter takes over its tensor's handle: w and b are the parameters themselves.
        var w = new TorchSharp.Modules.Parameter(start?.W.clone() ?? (torch.randn(new[] { neurons, d }, dtype: ScalarType.Float64, generator: gen)
            * (0.01 / Math.Sqrt(d))).to(dtype, device));
        var b = new TorchSharp.Modules.Parameter(start?.B.clone() ?? torch.zeros(neurons, dtype: dtype, device: device));
        var adam = optim.Adam(new[] { w, b }, lr: options.LearningRate);
        long batch = options.BatchSize <= 0 ? n : Math.Min(options.BatchSize, n);
        long perEpoch = (n + batch - 1) / batch, steps = perEpoch * Math.Max(1, options.Epochs), step = 0;
        for (int epoch = 0; epoch < Math.Max(1, options.Epochs); epoch++)
        {
            var perm = batch == n ? torch.arange(n, device: device) : torch.randperm(n, generator: gen).to(device);
            for (long s = 0; s < n; s += batch, step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                double lr = options.LearningRate * (1e-3 + (1 - 1e-3) * 0.5 * (1 + Math.Cos(Math.PI * step / steps)));
                foreach (var group in adam.ParamGroups) group.LearningRate = lr;
                var idx = perm.narrow(0, s, Math.Min(batch, n - s));
                var part = new ConvexData(data.X.index_select(0, idx), data.Y.index_select(0, idx));
                var sub = new ActivationPatterns(p.D.index_select(0, idx), p.Signs);
                var (losses, reg, violations) = ConvexProgram.Terms(part, sub, w, b, options);
                var loss = losses.mean() + reg + options.Penalty * violations.sum(1).mean();
                adam.zero_grad();
                loss.backward();
                adam.step();
                progress?.Invoke(step + 1, steps, loss.ToDouble());
            }
            perm.Dispose();
        }
        var wd = w.detach().clone();
        var bd = b.detach().clone();
        w.Dispose();
        b.Dispose();
        return new ConvexSolution(wd, bd, p, ConvexProgram.Objective(data, p, wd, bd, options), ConvexProgram.Gap(data, p, wd, bd, options),
            "first-order (Adam)", watch.Elapsed.TotalSeconds);
    }
}
