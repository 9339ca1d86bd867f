using Verify.Branching;
using Verify.Lipschitz;
using Verify.Solvers;
using Verify.Tests.Lipschitz;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Branching;

/// <summary>
/// The memory guard: resident memory as the kernel reports it, a step refused when it would pass the limit, and
/// branch and bound ending unknown with the memory reason (never holds) under a tiny limit on properties it proves
/// without one.
/// </summary>
public class MemoryGuardTests
{
    const long MiB = 1L << 20;

    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-memory-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void ResidentMemoryAgreesWithTheKernelsVmRss()
    {
        if (!File.Exists("/proc/self/status")) Assert.Ignore("no /proc on this system");
        long vmRss = Kib("/proc/self/status", "VmRSS:") * 1024;
        long measured = MemoryUse.ResidentBytes();
        Assert.That(measured, Is.EqualTo(vmRss).Within(64 * MiB));
    }

    [Test]
    public void DefaultLimitIsAtMostThreeQuartersOfPhysicalMemory()
    {
        if (!File.Exists("/proc/meminfo")) Assert.Ignore("no /proc on this system");
        long total = Kib("/proc/meminfo", "MemTotal:") * 1024;
        long limit = new BabOptions().MaxMemoryBytes;
        Assert.That(limit, Is.GreaterThan(0).And.LessThanOrEqualTo((long)(0.75 * total) + 1));
    }

    [Test]
    public void AStepIsRefusedOnlyWhenItsGrowthWouldPassTheLimit()
    {
        long limit = MemoryUse.ResidentBytes() + 1024 * MiB;
        var options = new BabOptions { MaxMemoryBytes = limit };
        var far = Budget.Seconds(3600);
        using var guard = new MemoryGuard(limit);
        Assert.That(BabLimits.Check(10, options, far, 0, 0, guard, growthBytes: 16 * MiB), Is.Null);
        var stop = BabLimits.Check(10, options, far, 5, 1, guard, growthBytes: 2048 * MiB);
        Assert.That(stop, Is.Not.Null);
        Assert.That((stop!.Status, stop.Domains, stop.Steps), Is.EqualTo((BabStatus.Unknown, 5L, 1)));
        Assert.That(stop.Reason, Does.StartWith(MemoryGuard.Reason));
    }

    /// <summary>
    /// A step that touched 768 MiB of work memory (freed by its end) makes the guard expect as much of the next one,
    /// which then does not fit under a limit 512 MiB above the resident memory.
    /// </summary>
    [Test]
    public void AStepsWorkMemoryCountsForTheNext()
    {
        long limit = MemoryUse.ResidentBytes() + 512 * MiB;
        using var guard = new MemoryGuard(limit);
        Assert.That(guard.BeforeStep(0), Is.Null);
        using (var work = torch.ones(768 * MiB / sizeof(float), dtype: ScalarType.Float32))
        {
            Assert.That(work.sum().item<float>(), Is.EqualTo(768f * MiB / sizeof(float)).Within(1e5), "the work tensor was not touched");
            guard.Sample();
        }
        var refusal = guard.BeforeStep(0);
        Assert.That(guard.Workspace, Is.GreaterThan(700 * MiB));
        Assert.That(refusal, Does.StartWith(MemoryGuard.Reason));
    }

    [Test]
    public void WorkMemoryAnEarlierSearchShowedGuardsTheFirstStep()
    {
        long limit = MemoryUse.ResidentBytes() + 512 * MiB;
        using var fresh = new MemoryGuard(limit);
        using var seeded = new MemoryGuard(limit, workspaceBytes: 768 * MiB);
        Assert.That(fresh.BeforeStep(0), Is.Null);
        Assert.That(seeded.BeforeStep(0), Does.StartWith(MemoryGuard.Reason));
    }

    [Test]
    public void StoreGrowthCountsTwoCopiesOfThePendingAndChildDomains() =>
        Assert.That(MemoryGuard.StoreGrowth(pending: 1000, batch: 100, bytesPerDomain: 50), Is.EqualTo(2 * (1000 + 100) * 50));

    [TestCase(0, TestName = "ReluSplittingEndsUnknownWithTheMemoryReasonUnderATinyLimit")]
    [TestCase(1000, TestName = "InputSplittingEndsUnknownWithTheMemoryReasonUnderATinyLimit")]
    public void TinyLimitGivesUnknownWhereTheSearchWouldProve(int inputSplitMaxInputs)
    {
        var options = new VerifierOptions(MethodChoice.Bab, 30, CPU, ScalarType.Float32, Attack: null,
            InputSplitMaxInputs: inputSplitMaxInputs) { MipRefine = MipRefinePolicy.Off };
        var tiny = options with { Bab = new BabOptions { MaxMemoryBytes = MiB } };
        int compared = 0;
        for (int seed = 0; seed < 60 && compared < 3; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var (path, graph, property) = BabAgreesWithMipTests.Instance(seed, dir, maxAtoms: 1);
            using var runner = new OnnxRuntimeRunner(path);
            var free = Verifier.Check(graph, runner, property, options);
            // Only properties that need the search and hold (by the exact MIP too).
            if (free.Verdict != Verdict.Holds || free.BranchAndBound is not { Steps: > 0 }) continue;
            Assert.That(MipVerifier.Check(graph, property, 30).Verdict, Is.EqualTo(Verdict.Holds), $"seed {seed}");
            var limited = Verifier.Check(graph, runner, property, tiny);
            Assert.That(limited.Verdict, Is.EqualTo(Verdict.Unknown), $"seed {seed}: {limited.Reason}");
            Assert.That(limited.Reason, Does.StartWith(MemoryGuard.Reason), $"seed {seed}");
            Assert.That(limited.BranchAndBound!.Status, Is.EqualTo(BabStatus.Unknown));
            compared++;
        }
        Assert.That(compared, Is.EqualTo(3), "too few seeds needed branch and bound to prove their property");
    }

    [Test]
    public void LipschitzSearchStopsIncompleteUnderATinyLimit()
    {
        var net = LipschitzNetwork.FromDense(LipschitzReference.Mlp(new[] { 16, 10, 10, 10 }, 1));
        var (lo, hi, _) = LipschitzReference.Box(16, 0.04, 1);
        var outputs = Enumerable.Range(0, 10).ToArray();
        var sampled = SampledLowerBound.PerOutput(net, lo, hi);
        var free = LipschitzBab.Run(net, lo, hi, outputs, sampled, new LipschitzBabOptions(60));
        var limited = LipschitzBab.Run(net, lo, hi, outputs, sampled, new LipschitzBabOptions(60) { MaxMemoryBytes = MiB });
        Assert.That(free.All(r => r.Complete), Is.True);
        Assert.That(limited.Any(r => !r.Complete), Is.True);
        // Stopped early, the bounds stay sound: never below the exact values the complete search found.
        for (int j = 0; j < outputs.Length; j++) Assert.That(limited[j].Upper, Is.GreaterThanOrEqualTo(free[j].Upper - 1e-9));
    }

    static long Kib(string file, string key) =>
        long.Parse(File.ReadLines(file).First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
}
