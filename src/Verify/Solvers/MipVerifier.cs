using System.Diagnostics;
using Verify.SolverHost;
using Verify.Bounds;
using Verify.Graph;
using Verify.Spec;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// A complete check for small piecewise-linear networks: every disjunct (a conjunction of atoms C_k·y &lt;= D_k) of
/// every case is decided exactly by SCIP on the big-M encoding over the case's box, as min t subject to
/// t &gt;= C_k·y - D_k for all k and t &lt;= 0: infeasible means no input reaches the disjunct, a solution is an input
/// that does. Disjuncts whose CROWN bound already refutes them need no MIP. Big-M constants come from sound float64
/// CROWN bounds, widened as in <see cref="MipEncoding"/>.
/// </summary>
public static class MipVerifier
{
    /// <summary>
    /// SCIP stops once it has an input whose largest atom margin is this far below zero (a clear counterexample
    /// needs no optimality proof); shallower ones are returned when they are the deepest that exist.
    /// </summary>
    public const double ViolationDepth = 1e-4;

    /// <summary>
    /// Checks the property within the overall time limit (shared by all MIPs). A Violated verdict's input has been
    /// confirmed by our float64 forward pass only; the caller confirms it in ONNX Runtime.
    /// </summary>
    public static MipVerdict Check(ComputationGraph graph, VnnProperty property, double timeLimitSeconds,
        CancellationToken cancellation = default)
    {
        if (property.InputSize != graph.InputSize || property.OutputSize != graph.OutputSize)
            throw new VerifyException($"{property.Source}: the property has {property.InputSize} inputs and {property.OutputSize} outputs, " +
                $"the network {graph.InputSize} and {graph.OutputSize}");
        var sw = Stopwatch.StartNew();
        int mips = 0;
        MipVerdict Done(Verdict verdict, string? reason, double[]? x = null, int c = -1, int d = -1) =>
            new(verdict, x, c, d, mips, sw.Elapsed.TotalSeconds, reason);
        var cases = property.Cases.Select((c, i) => (Case: c, Index: i))
            .Where(c => c.Case.Box.Lower.Zip(c.Case.Box.Upper).All(p => p.First <= p.Second)).ToList();
        if (cases.Count == 0) return Done(Verdict.Holds, null);

        using var scope = torch.NewDisposeScope();
        var g = graph.To(CPU, ScalarType.Float64);
        var live = new VnnProperty(cases.Select(c => c.Case).ToList(), property.InputSize, property.OutputSize, property.Source);
        var bounds = MipEncoding.CrownBounds(g, live.Cases.Select(c => c.Box.Lower).ToArray(), live.Cases.Select(c => c.Box.Upper).ToArray());
        var spec = SpecBatch.From(live, CPU, ScalarType.Float64);
        var atomLower = BoundComputer.SpecLower(g, bounds, spec.C, spec.Bias, BoundMethod.Crown).data<double>().ToArray();
        string? unknown = null;
        for (int b = 0; b < live.Cases.Count; b++)
        {
            var box = live.Cases[b].Box;
            var disjuncts = live.Cases[b].Disjuncts;
            for (int d = 0; d < disjuncts.Count; d++)
            {
                var conjunction = disjuncts[d];
                if (conjunction.Atoms == 0)
                    return Done(Verdict.Violated, null, box.Lower.Zip(box.Upper, (l, u) => (l + u) / 2).ToArray(), cases[b].Index, d);
                double tLower = Enumerable.Range(0, conjunction.Atoms)
                    .Max(k => atomLower[(b * spec.Disjuncts + d) * spec.Atoms + k]);
                if (tLower > 0) continue;
                if (cancellation.IsCancellationRequested) return Done(Verdict.Timeout, "cancelled");
                double remaining = timeLimitSeconds - sw.Elapsed.TotalSeconds;
                if (remaining <= 0) return Done(Verdict.Timeout, "time limit reached");
                mips++;
                var (outcome, x) = Decide(g, box, bounds, b, conjunction, tLower, remaining, cancellation);
                switch (outcome)
                {
                    case Outcome.Refuted:
                        break;
                    case Outcome.Reached:
                        return Done(Verdict.Violated, null, x, cases[b].Index, d);
                    case Outcome.TimedOut:
                        return Done(Verdict.Timeout, cancellation.IsCancellationRequested ? "cancelled" : "time limit reached");
                    case Outcome.Unconfirmed:
                        unknown = $"case {cases[b].Index}, disjunct {d}: the MIP's point misses the disjunct in the forward pass " +
                            "(its margin is within solver tolerance of zero)";
                        break;
                    default:
                        unknown = $"case {cases[b].Index}, disjunct {d}: SCIP failed";
                        break;
                }
            }
        }
        return unknown is null ? Done(Verdict.Holds, null) : Done(Verdict.Unknown, unknown);
    }

    /// <summary>How one exact decision ended: no input reaches the conjunction, an input does (confirmed by the
    /// float64 forward pass), the solver's point misses it in the forward pass, time ran out, or the solver failed.</summary>
    internal enum Outcome { Refuted, Reached, Unconfirmed, TimedOut, Failed }

    /// <summary>
    /// Whether some input of the box reaches the conjunction: min t, t &gt;= C_k·y - D_k, t &lt;= 0.
    /// <paramref name="constrain"/>, when given, may tighten node bounds of the encoder before it encodes any node
    /// (sign constraints of a branch-and-bound domain).
    /// </summary>
    internal static (Outcome, double[]?) Decide(ComputationGraph g, InputBox box, IntervalBounds[] bounds, int batchIndex,
        OutputConjunction conjunction, double tLower, double seconds, CancellationToken cancellation,
        Action<NetworkEncoder>? constrain = null)
    {
        using var model = new LinearModel("SCIP");
        var encoder = new NetworkEncoder(model, g, box.Lower, box.Upper, bounds, batchIndex, BigMActivation.Instance, NodeBoundArrays.DefaultSlack);
        constrain?.Invoke(encoder);
        var y = encoder.Columns(g.OutputIndex);
        int t = model.AddColumn(double.IsFinite(tLower) ? NodeBoundArrays.Loosen(tLower, -1, NodeBoundArrays.DefaultSlack) : double.NegativeInfinity, 0);
        for (int k = 0; k < conjunction.Atoms; k++)
            model.AddRow(double.NegativeInfinity, conjunction.D[k], y.Append(t).ToArray(), conjunction.C[k].Append(-1.0).ToArray());
        model.SetObjective(new[] { t }, new[] { 1.0 }, 0);
        var reply = ScipSettings.SolveWithRetry(model, seconds, -ViolationDepth, cancellation);
        switch (reply.Status)
        {
            case SolveStatus.Infeasible:
                return (Outcome.Refuted, null);
            case SolveStatus.Optimal or SolveStatus.Feasible when reply.HasPoint:
                var x = encoder.Columns(0).Select((c, i) => Math.Clamp(model.Value(c), box.Lower[i], box.Upper[i])).ToArray();
                return CounterexampleChecker.Satisfies(conjunction, Forward(g, x)) ? (Outcome.Reached, x) : (Outcome.Unconfirmed, null);
            case SolveStatus.NotSolved:
                return (Outcome.TimedOut, null);
            default:
                return (Outcome.Failed, null);
        }
    }

    static double[] Forward(ComputationGraph g, double[] x)
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(x, dtype: ScalarType.Float64).reshape(ComputationGraph.Batched(1, g.InputShape));
        return g.Forward(input).reshape(-1).data<double>().ToArray();
    }
}
