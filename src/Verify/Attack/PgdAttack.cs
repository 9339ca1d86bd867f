using Verify.Graph;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Attack;

/// <summary>
/// Projected gradient descent on the disjuncts' violation (largest atom margin), batched over every
/// (case, disjunct, restart) — or, untargeted, every (case, restart) on the case's smallest violation — with
/// projection onto each case's box.
/// </summary>
public static class PgdAttack
{
    /// <summary>
    /// The best point found for each (case, disjunct) — untargeted: for each case — most violating first. Stops early
    /// once some point is unsafe under our forward pass (unless <see cref="AttackOptions.StopAtFirst"/> is off), or
    /// when <paramref name="cancel"/> fires.
    /// </summary>
    /// <param name="graph">The network.</param>
    /// <param name="spec">The property.</param>
    /// <param name="options">Steps, restarts, targeting.</param>
    /// <param name="cancel">Stops between steps; the best points so far are returned.</param>
    /// <param name="disjuncts">Targeted only: the flat disjunct indices to attack (default: every real disjunct).</param>
    public static IReadOnlyList<AttackCandidate> Run(ComputationGraph graph, SpecBatch spec, AttackOptions options,
        CancellationToken cancel = default, long[]? disjuncts = null)
    {
        var device = spec.Lower.device;
        var dtype = spec.Lower.dtype;
        // Entries: the real flat disjuncts (targeted) or the cases (untargeted).
        var valid = options.PerDisjunct
            ? disjuncts is null ? spec.DisjunctMask.reshape(-1).nonzero().reshape(-1) : torch.tensor(disjuncts, device: device)
            : torch.arange(spec.Cases, dtype: ScalarType.Int64, device: device);
        long entries = valid.shape[0];
        if (entries == 0) return Array.Empty<AttackCandidate>();
        // Fewer restarts when the entries are many, so that one step stays within MaxPoints points.
        int restarts = (int)Math.Clamp(Math.Max(1, options.MaxPoints) / entries, 1, Math.Max(1, options.Restarts));
        var flat = valid.repeat_interleave(restarts);
        var caseIndex = options.PerDisjunct ? spec.CaseOf(flat) : flat;
        Tensor Violation(Tensor y) => options.PerDisjunct ? spec.Violation(y, flat) : spec.CaseViolation(y, flat);
        var lo = spec.Lower.index_select(0, caseIndex);
        var hi = spec.Upper.index_select(0, caseIndex);
        var width = hi - lo;
        var gen = new Generator((ulong)options.Seed, device);
        var start = torch.rand(lo.shape, dtype: dtype, device: device, generator: gen);
        var first = torch.arange(flat.shape[0], device: device).remainder(restarts).eq(0).unsqueeze(1);
        start = torch.where(first, torch.full_like(start, 0.5), start);
        var x = lo + width * start;
        var bestX = x.clone();
        var bestV = torch.full(flat.shape[0], double.PositiveInfinity, dtype: dtype, device: device);
        int steps = Math.Max(1, options.Steps);
        for (int t = 0; t <= steps && !cancel.IsCancellationRequested; t++)
        {
            using var scope = torch.NewDisposeScope();
            var xv = x.detach().requires_grad_(true);
            var y = graph.Forward(xv).reshape(xv.shape[0], -1);
            var v = Violation(y);
            var improved = v.detach() < bestV;
            var newBestV = torch.where(improved, v.detach(), bestV);
            var newBestX = torch.where(improved.unsqueeze(1), xv.detach(), bestX);
            bool done = t == steps || options.StopAtFirst && (newBestV <= 0).any().item<bool>();
            Tensor next = x;
            if (!done)
            {
                var grad = torch.autograd.grad(new[] { v.sum() }, new[] { xv })[0];
                double size = options.InitialStep * (1.0 - (double)t / steps) + 0.01;
                next = torch.minimum(torch.maximum(xv.detach() - size * width * grad.sign(), lo), hi);
            }
            bestV.Dispose(); bestX.Dispose();
            bestV = newBestV.MoveToOuterDisposeScope();
            bestX = newBestX.MoveToOuterDisposeScope();
            if (!done) x = next.MoveToOuterDisposeScope();
            if (done) break;
        }
        // Best restart per (case, disjunct).
        var perEntry = bestV.reshape(entries, restarts);
        var arg = perEntry.argmin(1);
        var rows = torch.arange(entries, device: device) * restarts + arg;
        var v2 = bestV.index_select(0, rows).to(ScalarType.Float64).cpu();
        var x2 = bestX.index_select(0, rows).to(ScalarType.Float64).cpu();
        var ids = valid.cpu();
        var result = new List<AttackCandidate>();
        var vData = v2.data<double>().ToArray();
        var xData = x2.data<double>().ToArray();
        var idData = ids.data<long>().ToArray();
        long n = x2.shape[1];
        long[] caseOf = idData, disjunctOf;
        if (options.PerDisjunct)
        {
            caseOf = idData.Select(f => f / spec.Disjuncts).ToArray();
            disjunctOf = idData.Select(f => f % spec.Disjuncts).ToArray();
        }
        else
        {
            // The disjunct nearest to hold at each case's best point.
            using var noGrad = torch.no_grad();
            var best = bestX.index_select(0, rows);
            disjunctOf = spec.DisjunctViolations(graph.Forward(best).reshape(entries, -1), valid).argmin(1).cpu().data<long>().ToArray();
        }
        for (int e = 0; e < entries; e++)
        {
            var point = new double[n];
            Array.Copy(xData, e * n, point, 0, n);
            result.Add(new AttackCandidate((int)caseOf[e], (int)disjunctOf[e], point, vData[e]));
        }
        return result.OrderBy(c => c.Violation).ToList();
    }
}
