using Verify.Graph;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Attack;

/// <summary>
/// A cheap counterexample probe run before PGD: the centre, vertices (all of them when there are few, otherwise random
/// ones) and uniform random points of every case's box, evaluated in batched forward passes without gradients and
/// checked against every disjunct of the case. It finds what tiny boxes and nearly linear regions hide at the cost of
/// a few forward passes, where PGD would spend its steps on every (case, disjunct, restart).
/// </summary>
public static class VertexProbe
{
    /// <summary>
    /// The unsafe points found (violation &lt;= 1e-6 under our forward pass), at most one per (case, disjunct), most
    /// violating first. <see cref="AttackOptions.ProbePoints"/> points per case besides the centre;
    /// <see cref="AttackOptions.MaxPoints"/> points per forward pass.
    /// </summary>
    public static IReadOnlyList<AttackCandidate> Run(ComputationGraph graph, SpecBatch spec, AttackOptions options,
        CancellationToken cancel = default)
    {
        if (options.ProbePoints <= 0) return Array.Empty<AttackCandidate>();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var device = spec.Lower.device;
        long cases = spec.Cases, d = spec.Lower.shape[1];
        var unit = UnitPoints(d, options.ProbePoints, options.Seed, device, spec.Lower.dtype); // [P, d] in [0, 1]
        long perCase = unit.shape[0];
        long chunkCases = Math.Max(1, Math.Max(1, options.MaxPoints) / perCase);
        var result = new List<AttackCandidate>();
        for (long start = 0; start < cases && !cancel.IsCancellationRequested; start += chunkCases)
        {
            using var step = torch.NewDisposeScope();
            long n = Math.Min(chunkCases, cases - start);
            var lo = spec.Lower.narrow(0, start, n).unsqueeze(1);
            var hi = spec.Upper.narrow(0, start, n).unsqueeze(1);
            var points = (lo + (hi - lo) * unit.unsqueeze(0)).reshape(n * perCase, d);
            var caseIndex = torch.arange(start, start + n, dtype: ScalarType.Int64, device: device).repeat_interleave(perCase);
            var y = graph.Forward(points.reshape(ComputationGraph.Batched(n * perCase, graph.InputShape))).reshape(n * perCase, -1);
            var violation = spec.DisjunctViolations(y, caseIndex).reshape(n, perCase, spec.Disjuncts);
            var (best, arg) = violation.min(1); // [n, D]
            var hits = (best <= 1e-6).nonzero();
            if (hits.shape[0] == 0) continue;
            var rows = hits.select(1, 0);
            var cols = hits.select(1, 1);
            var flat = rows * spec.Disjuncts + cols;
            var which = arg.reshape(-1).index_select(0, flat);
            var chosen = points.index_select(0, rows * perCase + which).to(ScalarType.Float64).cpu();
            var values = best.reshape(-1).index_select(0, flat).to(ScalarType.Float64).cpu().data<double>().ToArray();
            var caseOf = rows.cpu().data<long>().ToArray();
            var disjunctOf = cols.cpu().data<long>().ToArray();
            var x = chosen.data<double>().ToArray();
            for (int k = 0; k < values.Length; k++)
                result.Add(new AttackCandidate((int)(start + caseOf[k]), (int)disjunctOf[k], x.AsSpan((int)(k * d), (int)d).ToArray(), values[k]));
        }
        return result.OrderBy(c => c.Violation).ToList();
    }

    /// <summary>
    /// The probe's points in the unit box [P, d]: the centre, then every vertex when 2^d is at most <paramref name="count"/>
    /// (the rest uniform), otherwise half random vertices and half uniform points.
    /// </summary>
    static Tensor UnitPoints(long d, int count, long seed, Device device, ScalarType dtype)
    {
        var gen = new Generator((ulong)seed, device);
        var centre = torch.full(1, d, 0.5, dtype: dtype, device: device);
        Tensor vertices;
        if (d < 31 && (1L << (int)d) <= count)
        {
            var codes = torch.arange(1L << (int)d, dtype: ScalarType.Int64, device: device).unsqueeze(1);
            var bits = torch.arange(d, dtype: ScalarType.Int64, device: device).unsqueeze(0);
            vertices = codes.bitwise_right_shift(bits).bitwise_and(1).to_type(dtype);
        }
        else
            vertices = (torch.rand(count / 2, d, dtype: dtype, device: device, generator: gen) < 0.5).to_type(dtype);
        long uniform = Math.Max(0, count - vertices.shape[0]);
        var random = torch.rand(uniform, d, dtype: dtype, device: device, generator: gen);
        return torch.cat(new[] { centre, vertices, random });
    }
}
