using Verify.Graph;
using Verify.Solvers;
using Verify.Spec;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// Decides a ReLU-splitting leaf exactly: once every ReLU of a domain is split or stable, the network is linear on
/// the domain, yet its bound may still not refute the disjunct (a conjunction whose atoms are each reachable, but
/// not together; beta not converged) and the candidate corners may miss its reachable points. SCIP then solves the
/// disjunct over the case's box with the split signs as constraints (no binaries remain but for neurons the float64
/// bounds leave unstable), giving a refutation or a point to confirm.
/// </summary>
internal sealed class LeafDecision : IDisposable
{
    readonly ComputationGraph graph;
    readonly SpecBatch spec;
    readonly int[] preActivation;
    readonly long[] offsets;
    ComputationGraph? g64;
    IntervalBounds[]? bounds;
    List<IDisposable> owned = new();

    /// <summary>Prepares decisions on <paramref name="graph"/>, whose ReLU nodes, in sign-row order, are <paramref name="relus"/>.</summary>
    public LeafDecision(ComputationGraph graph, SpecBatch spec, Node[] relus, long[] offsets)
    {
        this.graph = graph;
        this.spec = spec;
        preActivation = relus.Select(r => r.Inputs[0]).ToArray();
        this.offsets = offsets;
    }

    static double[] Row(Tensor t) => t.to(ScalarType.Float64, CPU).reshape(-1).data<double>().ToArray();

    /// <summary>The outcome for disjunct <paramref name="flatDisjunct"/> under the sign row <paramref name="signs"/> (+1: input &gt;= 0, -1: &lt;= 0, 0: free).</summary>
    public (MipVerifier.Outcome Outcome, double[]? Input) Decide(long flatDisjunct, sbyte[] signs, Budget budget)
    {
        double seconds = budget.RemainingSeconds;
        var cancel = budget.Cancel;
        if (budget.Expired) return (MipVerifier.Outcome.TimedOut, null);
        if (g64 is null || bounds is null)
        {
            // Made on first use, owned by this object rather than by the caller's per-step dispose scope.
            var own = torch.NewDisposeScope();
            try
            {
                g64 = graph.To(CPU, ScalarType.Float64);
                var lo = spec.Lower.to(ScalarType.Float64, CPU);
                var hi = spec.Upper.to(ScalarType.Float64, CPU);
                var cases = Enumerable.Range(0, (int)spec.Cases).ToArray();
                bounds = MipEncoding.CrownBounds(g64, cases.Select(c => Row(lo[c])).ToArray(), cases.Select(c => Row(hi[c])).ToArray());
                owned = own.DisposablesView.ToList();
                own.Detach(owned);
            }
            finally
            {
                own.Dispose();
            }
        }
        using var scope = torch.NewDisposeScope();
        int caseIndex = (int)(flatDisjunct / spec.Disjuncts);
        var lower = Row(spec.Lower[caseIndex]);
        var upper = Row(spec.Upper[caseIndex]);
        var (c, bias, mask) = spec.AtomsOf(torch.tensor(new[] { flatDisjunct }, device: spec.Lower.device));
        var rows = new List<double[]>();
        var rhs = new List<double>();
        var m = mask[0].to(CPU).data<bool>().ToArray();
        for (int k = 0; k < m.Length; k++)
        {
            if (!m[k]) continue;
            rows.Add(Row(c[0, k]));
            rhs.Add(-bias[0, k].to(ScalarType.Float64, CPU).item<double>());
        }
        var conjunction = new OutputConjunction(rows.ToArray(), rhs.ToArray());
        void Constrain(NetworkEncoder encoder)
        {
            for (int r = 0; r < preActivation.Length; r++)
                for (long e = offsets[r]; e < offsets[r + 1]; e++)
                {
                    if (signs[e] > 0) encoder.Tighten(preActivation[r], (int)(e - offsets[r]), 0, double.PositiveInfinity);
                    else if (signs[e] < 0) encoder.Tighten(preActivation[r], (int)(e - offsets[r]), double.NegativeInfinity, 0);
                }
        }
        return MipVerifier.Decide(g64, new InputBox(lower, upper), bounds, caseIndex, conjunction, double.NegativeInfinity,
            seconds, cancel, Constrain);
    }

    /// <summary>Frees the float64 graph copy and its bounds.</summary>
    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        owned.Clear();
        (g64, bounds) = (null, null);
    }
}
