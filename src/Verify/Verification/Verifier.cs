using System.Diagnostics;
using Verify.Attack;
using Verify.Bounds;
using Verify.Branching;
using Verify.Graph;
using Verify.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Verification;

/// <summary>
/// Checks a property of a network: PGD attack first (a candidate counts only once ONNX Runtime confirms it), then the
/// incomplete bound methods asked for, then branch and bound (input splitting for few inputs, ReLU splitting with
/// beta-CROWN otherwise, interval splitting of sigmoid/tanh neurons for networks that have them). Any exception or NaN inside the engine yields unknown, never holds.
/// </summary>
public static class Verifier
{
    /// <summary>Largest number of attack candidates re-run in ONNX Runtime per check.</summary>
    const int MaxConfirmations = 16;

    /// <summary>Runs the check. <paramref name="runner"/> (ONNX Runtime on the original model) confirms counterexamples.</summary>
    public static VerificationResult Check(ComputationGraph graph, OnnxRuntimeRunner? runner, VnnProperty property,
        VerifierOptions options, CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        var budget = Budget.Seconds(options.TimeoutSeconds, cancel);
        var methods = new List<MethodBounds>();
        double attackSeconds = 0;
        string? reason = null;
        BabResult? bab = null;
        var refinement = new List<Solvers.MipRefineResult>();
        VerificationResult Result(Verdict v, Counterexample? cex, string? why) =>
            new(v, cex, methods, attackSeconds, total.Elapsed.TotalSeconds, why, bab, refinement.Count > 0 ? refinement : null);
        using var scope = torch.NewDisposeScope();
        try
        {
            // NaN bounds of a finite network are an overflow (no information); of a non-finite one, they are all there is.
            if (ParameterCheck.FirstNonFinite(graph) is { } bad)
                return Result(Verdict.Unknown, null, $"node {bad} has a NaN or infinite parameter");
            var g = graph.To(options.Device, options.DType);
            var spec = SpecBatch.From(property, options.Device, options.DType);
            Counterexample? Confirm(int caseIndex, double[] x) =>
                runner is null ? null : CounterexampleChecker.Confirm(runner, property, caseIndex, x);
            if (options.Attack is { } attack)
            {
                var sw = Stopwatch.StartNew();
                using var cts = budget.Share(options.Shares.Attack).CancelAtDeadline();
                var cex = ConfirmCandidates(runner, property, VertexProbe.Run(g, spec, attack, cts.Token), ref reason)
                    ?? ConfirmCandidates(runner, property, PgdAttack.Run(g, spec, attack, cts.Token), ref reason);
                attackSeconds = sw.Elapsed.TotalSeconds;
                if (cex is not null) return Result(Verdict.Violated, cex, null);
            }
            if (options.Method == MethodChoice.Mip) return RunMip(graph, property, runner, budget, Result);
            var box = new IntervalBounds(spec.Lower, spec.Upper);
            IntervalBounds[]? crownBounds = null, rootBounds = null;
            MethodBounds? last = null;
            foreach (var method in MethodsOf(options.Method))
            {
                if (budget.Expired) return Result(Verdict.Timeout, null, "time limit reached");
                var sw = Stopwatch.StartNew();
                Tensor atoms;
                if (method == BoundMethod.Ibp)
                {
                    var ibp = BoundComputer.Intermediate(g, box, new BoundOptions(BoundMethod.Ibp, options.MaxSpecsPerPass), cancel: cancel);
                    atoms = BoundComputer.SpecLower(g, ibp, spec.C, spec.Bias, BoundMethod.Ibp);
                    // Intervals of deep networks overflow (inf - inf): no information from IBP, not a failure of the check.
                    atoms = torch.where(atoms.isnan(), torch.full_like(atoms, double.NegativeInfinity), atoms);
                }
                else
                {
                    crownBounds ??= RootIntermediate(g, box, options, cancel);
                    if (method == BoundMethod.Crown)
                        atoms = BoundComputer.SpecLower(g, crownBounds, spec.C, spec.Bias, BoundMethod.Crown);
                    else
                    {
                        rootBounds ??= RootBounds(g, spec, crownBounds, options, budget, refinement);
                        atoms = torch.fmax(last?.AtomLower ?? torch.full_like(spec.Bias, double.NegativeInfinity),
                            OptimizedBound.SpecLower(g, rootBounds, spec.C, spec.Bias, options.Optimization,
                                done: best => AllRefuted(spec, best), cancel: cancel));
                    }
                }
                // Input splitting bounds every domain again and splits what overflowed; others cannot use NaN bounds.
                if (g.InputSize <= options.InputSplitMaxInputs)
                    atoms = torch.where(atoms.isnan(), torch.full_like(atoms, double.NegativeInfinity), atoms);
                last = Summarise(method, spec, atoms, sw.Elapsed.TotalSeconds);
                methods.Add(last);
                if (last.DisjunctLower.Any(c => c.Any(double.IsNaN)))
                    return Result(Verdict.Unknown, null, $"{last.Method} produced NaN bounds");
                if (last.Proved) return Result(Verdict.Holds, null, null);
            }
            if (options.Method is MethodChoice.Bab or MethodChoice.Auto && last is not null && rootBounds is not null)
            {
                var open = OpenDisjuncts(spec, last);
                // A longer attack on the disjuncts the bounds left open before the search: cheap next to branch and
                // bound, and it ends it when it succeeds.
                if (options.Attack is { } first)
                {
                    using var cts = budget.Share(options.Shares.StrongAttack).CancelAtDeadline();
                    var strong = first with { Steps = first.Steps * 3, Restarts = first.Restarts * 4, Seed = first.Seed + 1 };
                    var sw = Stopwatch.StartNew();
                    var cex = ConfirmCandidates(runner, property, PgdAttack.Run(g, spec, strong, cts.Token, open), ref reason);
                    attackSeconds += sw.Elapsed.TotalSeconds;
                    if (cex is not null) return Result(Verdict.Violated, cex, null);
                }
                var openLower = open.Select(f => last.DisjunctLower[f / spec.Disjuncts][f % spec.Disjuncts]).ToArray();
                // Networks with nonlinearities ReLU splitting cannot split (sigmoid, tanh, max pooling) split the
                // intervals of their activation neurons (piecewise-linear ones, with max pools, get the exact MIP after a
                // first slice); only networks without any split their inputs, whatever their size.
                bab = g.InputSize <= options.InputSplitMaxInputs
                    ? InputSplitBab.Run(g, spec, open, options.Bab, Confirm, budget)
                    : ReluSplitBab.Supports(g)
                        ? RefinedReluSearch.Run(g, spec, rootBounds, open, openLower, options, Confirm, budget, refinement)
                        : IntervalSplitBab.Supports(g)
                            ? IntervalSearchWithMip.Run(g, spec, property, rootBounds, open, openLower, options, Confirm, budget)
                            : InputSplitBab.Run(g, spec, open, options.Bab, Confirm, budget);
                return bab.Status switch
                {
                    BabStatus.Proved => Result(Verdict.Holds, null, null),
                    BabStatus.Violated => Result(Verdict.Violated, bab.Counterexample, null),
                    BabStatus.Timeout => Result(Verdict.Timeout, null, "time limit reached during branch and bound"),
                    _ => Result(Verdict.Unknown, null, bab.Reason),
                };
            }
            if (budget.Expired) return Result(Verdict.Timeout, null, "time limit reached");
            return Result(Verdict.Unknown, null, reason ?? "bounds too loose to prove the property");
        }
        catch (VerifyException)
        {
            throw;
        }
        catch (OperationCanceledException) when (budget.Expired)
        {
            return Result(Verdict.Timeout, null, "time limit reached");
        }
        catch (Exception e)
        {
            if (Environment.GetEnvironmentVariable("VERIFY_DEBUG") == "1") Console.Error.WriteLine(e);
            return Result(Verdict.Unknown, null, $"internal error: {FirstLine(e.Message)}");
        }
    }

    /// <summary>
    /// The intermediate bounds of every case's box for alpha-CROWN and branch and bound: CROWN's, optimised by
    /// alpha-CROWN, and tightened by LP and by MIP up front when asked (and time allows).
    /// </summary>
    static IntervalBounds[] RootBounds(ComputationGraph g, SpecBatch spec, IntervalBounds[] crown, VerifierOptions options,
        Budget budget, List<Solvers.MipRefineResult> refinement)
    {
        var bounds = crown;
        if (options.OptimizeIntermediate && !ForwardOnly(g, spec.Cases, options))
            bounds = OptimizedIntermediate.Tighten(g, bounds, options.IntermediateOptimization, options.MaxSpecsPerPass,
                budget.Share(options.Shares.IntermediateAlpha));
        var lo = spec.Lower.to(ScalarType.Float64).cpu();
        var hi = spec.Upper.to(ScalarType.Float64).cpu();
        var lpSeconds = Math.Min(options.LpTightenSeconds, budget.RemainingSeconds * options.Shares.LpTighten);
        for (int c = 0; c < spec.Cases && lpSeconds > 0; c++)
        {
            var started = DateTime.UtcNow;
            bounds = Solvers.LpRelaxation.TightenIntermediate(g, lo[c].data<double>().ToArray(), hi[c].data<double>().ToArray(),
                bounds, lpSeconds / (spec.Cases - c), new Solvers.LpOptions(BatchIndex: c));
            lpSeconds -= (DateTime.UtcNow - started).TotalSeconds;
        }
        if (options.MipRefine.UpFrontSeconds is > 0 and var seconds)
            bounds = RefinedReluSearch.Refine(g, spec, bounds, options,
                Math.Min(seconds, budget.RemainingSeconds * options.Shares.UpFrontRefine), refinement, budget.Cancel);
        return bounds;
    }

    /// <summary>
    /// Whether the root's intermediate bounds are forward linear bounds (tightened by CROWN only where the inexact
    /// neurons make it affordable): few inputs, and backward CROWN of every neuron over the boxes would cost more than
    /// <see cref="BabOptions.CrownIntermediateMaxMacs"/> (a deep, wide one-input network).
    /// </summary>
    static bool ForwardOnly(ComputationGraph g, long boxes, VerifierOptions options) =>
        g.InputSize <= options.InputSplitMaxInputs && !FewInputBounds.CrownAffordable(g, boxes, options.Bab.CrownIntermediateMaxMacs);

    /// <summary>
    /// CROWN intermediate bounds of every case's box; where CROWN of every neuron is unaffordable, forward linear ones,
    /// tightened by CROWN for the boxes whose inexact neurons make it affordable.
    /// </summary>
    static IntervalBounds[] RootIntermediate(ComputationGraph g, IntervalBounds box, VerifierOptions options, CancellationToken cancel) =>
        ForwardOnly(g, box.Lower.shape[0], options)
            ? FewInputBounds.Intermediate(g, box, out _, crown: options.Bab.InputSplitCrownIntermediate,
                maxCrownMacs: options.Bab.CrownIntermediateMaxMacs, cancel: cancel)
            : BoundComputer.Intermediate(g, box, new BoundOptions(BoundMethod.Crown, options.MaxSpecsPerPass), cancel: cancel);

    /// <summary>The exact MIP check; a violating point counts only once ONNX Runtime confirms it.</summary>
    static VerificationResult RunMip(ComputationGraph graph, VnnProperty property, OnnxRuntimeRunner? runner, Budget budget,
        Func<Verdict, Counterexample?, string?, VerificationResult> result)
    {
        var mip = Solvers.MipVerifier.Check(graph, property, budget.RemainingSeconds, budget.Cancel);
        if (mip.Verdict != Verdict.Violated) return result(mip.Verdict, null, mip.Reason);
        var cex = runner is null || mip.Input is null ? null : CounterexampleChecker.Confirm(runner, property, mip.Case, mip.Input);
        return cex is null
            ? result(Verdict.Unknown, null, "the MIP's counterexample was not confirmed by ONNX Runtime")
            : result(Verdict.Violated, cex, null);
    }

    /// <summary>Lower bounds of every disjunct's margin by one method, with CROWN or IBP intermediate bounds.</summary>
    public static MethodBounds Bound(ComputationGraph graph, SpecBatch spec, BoundMethod method, VerifierOptions options)
    {
        var sw = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        var box = new IntervalBounds(spec.Lower, spec.Upper);
        var bounds = method == BoundMethod.Ibp
            ? BoundComputer.Intermediate(graph, box, new BoundOptions(BoundMethod.Ibp, options.MaxSpecsPerPass))
            : RootIntermediate(graph, box, options, default);
        var atoms = method == BoundMethod.AlphaCrown
            ? OptimizedBound.SpecLower(graph, bounds, spec.C, spec.Bias, options.Optimization, done: best => AllRefuted(spec, best))
            : BoundComputer.SpecLower(graph, bounds, spec.C, spec.Bias, method);
        var result = Summarise(method, spec, atoms, sw.Elapsed.TotalSeconds);
        result.AtomLower?.MoveToOuterDisposeScope();
        return result;
    }

    static MethodBounds Summarise(BoundMethod method, SpecBatch spec, Tensor atoms, double seconds)
    {
        var disjuncts = spec.DisjunctLower(atoms).to(ScalarType.Float64).cpu();
        var flat = disjuncts.data<double>().ToArray();
        var perCase = Enumerable.Range(0, (int)spec.Cases)
            .Select(c => flat.Skip(c * spec.Disjuncts).Take(spec.Disjuncts).ToArray()).ToArray();
        bool proved = flat.All(v => v > 0 && !double.IsNaN(v));
        return new MethodBounds(Name(method), perCase, proved, seconds) { AtomLower = atoms.detach() };
    }

    /// <summary>The report name of a method.</summary>
    public static string Name(BoundMethod method) => method switch
    {
        BoundMethod.Ibp => "ibp",
        BoundMethod.Crown => "crown",
        _ => "alpha-crown",
    };

    /// <summary>The lower bound of every disjunct, by flat index (case·Disjuncts + disjunct), from atom lower bounds.</summary>
    internal static double[] DisjunctLowers(SpecBatch spec, Tensor atomLower) =>
        spec.DisjunctLower(atomLower).to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();

    /// <summary>Whether the atom lower bounds refute every disjunct.</summary>
    internal static bool AllRefuted(SpecBatch spec, Tensor atomLower)
    {
        var d = spec.DisjunctLower(atomLower);
        return (d > 0).all().item<bool>();
    }

    /// <summary>Flat indices (case·Disjuncts + disjunct) of the real disjuncts the bounds did not refute.</summary>
    static long[] OpenDisjuncts(SpecBatch spec, MethodBounds bounds)
    {
        var open = new List<long>();
        for (int c = 0; c < bounds.DisjunctLower.Length; c++)
            for (int d = 0; d < bounds.DisjunctLower[c].Length; d++)
                if (!(bounds.DisjunctLower[c][d] > 0)) open.Add((long)c * spec.Disjuncts + d);
        return open.ToArray();
    }

    static IEnumerable<BoundMethod> MethodsOf(MethodChoice choice) => choice switch
    {
        MethodChoice.Ibp => new[] { BoundMethod.Ibp },
        MethodChoice.Crown => new[] { BoundMethod.Crown },
        MethodChoice.AlphaCrown or MethodChoice.Bab => new[] { BoundMethod.Crown, BoundMethod.AlphaCrown },
        _ => new[] { BoundMethod.Ibp, BoundMethod.Crown, BoundMethod.AlphaCrown },
    };

    /// <summary>The first line of a message (native errors append a stack trace).</summary>
    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    static Counterexample? ConfirmCandidates(OnnxRuntimeRunner? runner, VnnProperty property, IReadOnlyList<AttackCandidate> candidates, ref string? reason)
    {
        int tried = 0;
        foreach (var c in candidates)
        {
            if (c.Violation > 1e-6 || tried >= MaxConfirmations) break;
            if (runner is null)
            {
                reason = "the attack found a candidate, but no ONNX Runtime model was given to confirm it";
                return null;
            }
            tried++;
            var cex = CounterexampleChecker.Confirm(runner, property, c.Case, c.Input);
            if (cex is not null) return cex;
            reason = "an attack candidate was not confirmed by ONNX Runtime";
        }
        return null;
    }
}
