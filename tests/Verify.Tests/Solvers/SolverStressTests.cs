using System.Diagnostics;
using System.Runtime.InteropServices;
using Verify.Bounds;
using Verify.Graph;
using Verify.Solvers;
using Verify.SolverHost;
using Verify.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Solvers;

/// <summary>
/// Hundreds of random verification and refinement MIPs through the solver workers: the test process survives, and
/// every answer is checked independently (our own forward pass at the solver's point, sampled points, and a second
/// SCIP configuration); a solver that fails gives no answer, never a wrong one. Workers killed, crashed or stopped in
/// the middle of a solve cost that one answer.
/// </summary>
[NonParallelizable]
public class SolverStressTests
{
    /// <summary>Another path through SCIP: no presolving and no cutting planes.</summary>
    static readonly SolveSettings Plain = ScipSettings.Plain(30);

    /// <summary>Random MIPs per CI run (the 750-seed hunt is <c>SolverFaultHunt</c>, an explicit test; docs/benchmarks.md).</summary>
    const int VerificationMips = 60;

    [Test]
    public void RandomVerificationMipsAgreeWithSamplingAndASecondConfiguration()
    {
        int optimal = 0, compared = 0, noAnswer = 0;
        foreach (int seed in Enumerable.Range(0, VerificationMips).Concat(StressCases.ScipErrorSeeds).Distinct())
        {
            var k = StressCases.Make(seed, StressCases.Loosening(seed));
            var (reply, x) = StressCases.Solve(k, ScipSettings.For(30));
            if (reply.Status is SolveStatus.Abnormal or SolveStatus.Failed or SolveStatus.NotSolved)
            {
                noAnswer++;
                continue;
            }
            if (!AssertChecked(k, reply, x)) continue;
            optimal++;
            if (seed % 2 == 1) continue;
            var (other, _) = StressCases.Solve(k, Plain);
            if (other.Status != SolveStatus.Optimal) continue;
            compared++;
            Assert.That(other.Objective, Is.EqualTo(reply.Objective).Within(1e-4 * (1 + Math.Abs(reply.Objective))), $"seed {seed}: the two configurations disagree");
        }
        TestContext.Out.WriteLine($"{optimal} optimal, {compared} compared, {noAnswer} without an answer, pool faults {SolverPool.Shared.Faults}");
        Assert.That(optimal, Is.GreaterThan(VerificationMips / 2), "too few MIPs solved for the checks to mean anything");
        Assert.That(compared, Is.GreaterThan(optimal / 3));
    }

    [Test]
    public void TheSeedsWhereScipFailedWithMultiAggregationAreContainedAndNowSolved()
    {
        int contained = 0;
        foreach (int seed in StressCases.ScipErrorSeeds)
        {
            var k = StressCases.Make(seed, StressCases.Loosening(seed));
            var s = ScipSettings.For(30);
            var allowed = s with { SpecificParameters = s.SpecificParameters.Replace("presolving/donotmultaggr = TRUE\n", "") };
            Assert.That(allowed.SpecificParameters, Does.Not.Contain("donotmultaggr"));
            var (before, _) = StressCases.Solve(k, allowed);
            if (before.Status == SolveStatus.Abnormal)
            {
                contained++;
                Assert.That(before.Message, Does.Contain("Error <-9>"), $"seed {seed}");
            }
            var (reply, x) = StressCases.Solve(k, s);
            Assert.That(reply.Status, Is.AnyOf(SolveStatus.Optimal, SolveStatus.Infeasible), $"seed {seed}: {reply.Message}");
            AssertChecked(k, reply, x);
        }
        TestContext.Out.WriteLine($"{contained} of {StressCases.ScipErrorSeeds.Length} failed in SCIP with multi-aggregation on");
    }

    /// <summary>
    /// Checks an answer independently: infeasible only if no sampled point is on the split's side; an optimum at a
    /// point in the box, on the split's side, whose objective our forward pass reproduces, and no sampled point below
    /// it. Returns whether it was an optimum.
    /// </summary>
    static bool AssertChecked(StressCases.Case k, SolveReply reply, double[]? x)
    {
        var (sampled, inside) = StressCases.Sampled(k, 2000, k.Seed);
        if (reply.Status == SolveStatus.Infeasible)
        {
            Assert.That(inside, Is.Zero, $"seed {k.Seed}: infeasible, but {inside} sampled points satisfy the split");
            return false;
        }
        Assert.That(reply.Status, Is.EqualTo(SolveStatus.Optimal), $"seed {k.Seed}");
        double v = reply.Objective, tol = 1e-5 * (1 + Math.Abs(v));
        for (int i = 0; i < x!.Length; i++)
            Assert.That(x[i], Is.InRange(k.Lo[i] - 1e-6, k.Hi[i] + 1e-6), $"seed {k.Seed}: input {i} outside the box");
        var (at, neuron) = StressCases.At(k, x);
        Assert.That(at, Is.EqualTo(v).Within(1e-4 * (1 + Math.Abs(v))), $"seed {k.Seed}: the forward pass at the solver's point");
        Assert.That(k.Sign * neuron, Is.GreaterThanOrEqualTo(-1e-4), $"seed {k.Seed}: the point is on the wrong side of the split");
        Assert.That(v, Is.LessThanOrEqualTo(sampled + tol), $"seed {k.Seed}: the minimum is above a sampled value");
        Assert.That(reply.BestBound, Is.LessThanOrEqualTo(v + tol), $"seed {k.Seed}: dual bound above the objective");
        return true;
    }

    [Test]
    public void RandomRefinementsContainSampledValues()
    {
        int tightened = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var k = StressCases.Make(1000 + seed, new[] { 0.0, 1e-4 }[seed % 2]);
            var box = new IntervalBounds(torch.tensor(k.Lo, dtype: ScalarType.Float64).reshape(1, -1), torch.tensor(k.Hi, dtype: ScalarType.Float64).reshape(1, -1));
            var refined = MipRefinement.Tighten(k.G, k.Lo, k.Hi, k.Bounds, new MipRefineOptions(2, NeuronSeconds: 1, Threads: 2, ExactLayers: 0, NearestBinaries: 0));
            MipRefinementTests.AssertContainsSamples(k.G, box, refined.Bounds, 300 + seed);
            for (int i = 0; i < refined.Bounds.Length; i++)
            {
                Assert.That((refined.Bounds[i].Lower >= k.Bounds[i].Lower.to(ScalarType.Float64) - 1e-12).all().item<bool>(), Is.True, $"seed {seed}, node {i}: looser");
                if ((refined.Bounds[i].Upper < k.Bounds[i].Upper.to(ScalarType.Float64) - 1e-9).any().item<bool>()) tightened++;
            }
        }
        Assert.That(tightened, Is.GreaterThan(5), "refinement never tightened anything: the check is empty");
    }

    [Test]
    public void AWorkerKilledMidSolveCostsOneAnswer()
    {
        var pool = new SolverPool();
        var k = HardCase();
        var solve = Task.Run(() => SolveIn(pool, k, 60));
        var pid = WaitForWorker(pool);
        Assert.That(Signal(pid, "KILL"), Is.Zero, "could not signal the worker");
        Assert.That(solve.Wait(TimeSpan.FromSeconds(30)), Is.True, "the solve did not return after its worker died");
        Assert.That(solve.Result.Status, Is.EqualTo(SolveStatus.Failed));
        Assert.That(solve.Result.Message, Does.Contain("died"));
        AssertRecovers(pool, faults: 1);
    }

    [Test]
    public void ANativeFaultInTheWorkerCostsOneAnswer([Values(FaultInjection.Abort, FaultInjection.SegmentationFault)] string fault)
    {
        var pool = new SolverPool();
        using var model = new LinearModel(fault, SolverIsolation.Process, pool);
        model.AddColumn(0, 1);
        var reply = model.Solve(new SolveSettings(1000));
        Assert.That(reply.Status, Is.EqualTo(SolveStatus.Failed));
        Assert.That(reply.Message, Does.Contain("died"));
        AssertRecovers(pool, faults: 1);
    }

    [Test]
    public void AHungWorkerIsStoppedAfterItsLimit()
    {
        var pool = new SolverPool();
        var sw = Stopwatch.StartNew();
        using var model = new LinearModel(FaultInjection.Hang, SolverIsolation.Process, pool);
        model.AddColumn(0, 1);
        var settings = new SolveSettings(1000, HangSlackMs: 2000);
        var reply = model.Solve(settings);
        Assert.That(reply.Status, Is.EqualTo(SolveStatus.Failed));
        Assert.That(reply.Message, Does.Contain("did not answer"));
        Assert.That(sw.Elapsed, Is.InRange(settings.HangLimit, settings.HangLimit + TimeSpan.FromSeconds(15)));
        AssertRecovers(pool, faults: 1);
    }

    /// <summary>After one lost answer the pool starts a new worker and solves correctly again.</summary>
    static void AssertRecovers(SolverPool pool, int faults)
    {
        var next = SolveIn(pool, StressCases.Make(3, 0), 30);
        Assert.That(next.Status, Is.AnyOf(SolveStatus.Optimal, SolveStatus.Infeasible), "the pool did not recover");
        Assert.That(pool.WorkersStarted, Is.EqualTo(2));
        Assert.That(pool.Faults, Is.EqualTo(faults));
    }

    [Test]
    public void CancellingASolveStopsItWithoutAnAnswer()
    {
        var pool = new SolverPool();
        var k = HardCase();
        using var cancel = new CancellationTokenSource();
        var solve = Task.Run(() => SolveIn(pool, k, 60, cancel.Token));
        WaitForWorker(pool);
        cancel.Cancel();
        Assert.That(solve.Wait(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(solve.Result.Status, Is.EqualTo(SolveStatus.NotSolved));
        Assert.That(pool.Faults, Is.Zero, "a cancelled solve is not a fault");
    }

    /// <summary>A MIP that takes SCIP well over a second: a wider network over a wide box.</summary>
    static StressCases.Case HardCase()
    {
        var g = RandomNetworks.Mlp(new[] { 8, 40, 40, 40, 2 }, 4242, weightScale: 1.6);
        var box = RandomNetworks.Box(1, 8, 2.0, 4243);
        var bounds = BoundComputer.Intermediate(g, box, BoundOptions.Ibp);
        return new StressCases.Case(-1, g, SolverTestNetworks.Row(box.Lower), SolverTestNetworks.Row(box.Upper), bounds, -1, -1, 1,
            new[] { 1.0, -1.0 }, 0);
    }

    static SolveReply SolveIn(SolverPool pool, StressCases.Case k, double seconds, CancellationToken cancel = default)
    {
        using var scope = torch.NewDisposeScope();
        var g = k.G.To(CPU, ScalarType.Float64);
        using var model = new LinearModel("SCIP", SolverIsolation.Process, pool);
        var encoder = new NetworkEncoder(model, g, k.Lo, k.Hi, k.Bounds, 0, BigMActivation.Instance, NodeBoundArrays.DefaultSlack);
        model.SetObjective(encoder.Columns(g.OutputIndex), k.C, k.Offset);
        return model.Solve(ScipSettings.For(seconds), cancel);
    }

    /// <summary>The pid of the pool's first worker, once it has had a moment to start solving.</summary>
    static int WaitForWorker(SolverPool pool)
    {
        var sw = Stopwatch.StartNew();
        while (pool.WorkerProcessIds.Count == 0 && sw.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(20);
        Assert.That(pool.WorkerProcessIds, Is.Not.Empty, "no worker started");
        Thread.Sleep(1500);
        return pool.WorkerProcessIds[0];
    }

    static int Signal(int pid, string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", new[] { "-" + name, pid.ToString() }) { UseShellExecute = false })!;
        kill.WaitForExit();
        return kill.ExitCode;
    }
}

/// <summary>Hunts for SCIP faults over many seeds (minutes; run by hand).</summary>
[NonParallelizable, Explicit("minutes")]
public class SolverFaultHunt
{
    [Test]
    public void Hunt()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("HUNT_COUNT"), out var c) ? c : 400;
        string extra = (Environment.GetEnvironmentVariable("HUNT_SETTINGS") ?? "").Replace(";", "\n");
        var statuses = new Dictionary<string, int>();
        var sw = Stopwatch.StartNew();
        var seeds = Environment.GetEnvironmentVariable("HUNT_SEEDS") is { } list
            ? list.Split(',').Select(int.Parse).ToArray() : Enumerable.Range(0, count).ToArray();
        foreach (int seed in seeds)
        {
            double loosen = StressCases.Loosening(seed);
            var k = StressCases.Make(seed, loosen);
            var s = ScipSettings.For(10);
            if (Environment.GetEnvironmentVariable("HUNT_BASELINE") == "1")
                s = s with { SpecificParameters = s.SpecificParameters.Replace("presolving/donotmultaggr = TRUE\n", "") };
            var (reply, _) = StressCases.Solve(k, s with { SpecificParameters = s.SpecificParameters + extra });
            statuses[reply.Status.ToString()] = statuses.GetValueOrDefault(reply.Status.ToString()) + 1;
            if (reply.Status is SolveStatus.Abnormal or SolveStatus.Failed)
                TestContext.Progress.WriteLine($"seed {seed} loosen {loosen}: {reply.Status} {reply.Message}");
        }
        TestContext.Progress.WriteLine($"{string.Join(", ", statuses.Select(e => $"{e.Key} {e.Value}"))} in {sw.Elapsed.TotalSeconds:F1} s; " +
            $"faults {SolverPool.Shared.Faults}, workers {SolverPool.Shared.WorkersStarted}");
    }
}

/// <summary>What running the solver in a worker costs against solving in this process (a benchmark; run by hand).</summary>
[NonParallelizable, Explicit("benchmark")]
public class SolverIsolationOverhead
{
    [Test]
    public void SmallMipsAndALargeModel()
    {
        var small = Enumerable.Range(0, 100).Select(s => StressCases.Make(s, 0)).ToArray();
        foreach (var isolation in new[] { SolverIsolation.InProcess, SolverIsolation.Process, SolverIsolation.InProcess, SolverIsolation.Process })
        {
            var sw = Stopwatch.StartNew();
            foreach (var k in small) StressCases.Solve(k, ScipSettings.For(10), isolation);
            double perSmall = sw.Elapsed.TotalMilliseconds / small.Length;
            // A model the size of an MNIST-FC 256x4 refinement MIP (784 inputs, 4x256 neurons, dense weights): the first
            // solve sends the structure, later ones only bounds and the objective.
            var g = RandomNetworks.Mlp(new[] { 784, 256, 256, 256, 256, 10 }, 77, weightScale: 1.0);
            var box = RandomNetworks.Box(1, 784, 0.02, 78);
            var bounds = BoundComputer.Intermediate(g, box, BoundOptions.Crown);
            using var scope = torch.NewDisposeScope();
            var g64 = g.To(CPU, ScalarType.Float64);
            using var model = new LinearModel("GLOP", isolation);
            var encoder = new NetworkEncoder(model, g64, SolverTestNetworks.Row(box.Lower), SolverTestNetworks.Row(box.Upper), bounds, 0,
                TriangleActivation.Instance, NodeBoundArrays.DefaultSlack);
            var outCols = encoder.Columns(g64.OutputIndex);
            sw.Restart();
            model.SetObjective(new[] { outCols[0] }, new[] { 1.0 }, 0);
            model.Solve(new SolveSettings(60_000, WantDuals: true));
            double first = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            for (int j = 1; j < 10; j++)
            {
                model.SetObjective(new[] { outCols[j] }, new[] { 1.0 }, 0);
                model.Solve(new SolveSettings(60_000, WantDuals: true));
            }
            double later = sw.Elapsed.TotalMilliseconds / 9;
            TestContext.Progress.WriteLine($"{isolation}: small MIP {perSmall:F1} ms each; LP of {model.ColumnCount} columns, {model.RowCount} rows, " +
                $"{model.Rows.Sum(r => r.Columns.Length)} nonzeros: first solve {first:F0} ms, later {later:F0} ms each");
        }
    }
}
