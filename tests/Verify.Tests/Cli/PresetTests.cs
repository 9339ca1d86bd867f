using System.CommandLine;
using System.Text.Json;
using Verify.Attack;
using Verify.Bounds;
using Verify.Branching;
using Verify.Cli.Commands;
using Verify.Tests.Support;
using Verify.Verification;

namespace Verify.Tests.Cli;

/// <summary>--preset fast|default|thorough: default is today's defaults, explicit flags override a preset, reports name it.</summary>
public class PresetTests
{
    static VerifierOptions Bind(params string[] args)
    {
        var (binder, parse) = CheckOptions.Parse(args.Concat(new[] { "--device", "cpu" }).ToArray());
        return binder.Bind(parse, 10);
    }

    /// <summary>What `verify check` built with no tuning flags before presets existed (the binder's code of commit 284766f).</summary>
    static readonly VerifierOptions TodaysDefaults = new(
        MethodChoice.Auto, 10, TorchSharp.torch.CPU, TorchSharp.torch.ScalarType.Float32, new AttackOptions(),
        InputSplitMaxInputs: 16,
        LpTightenSeconds: 0)
    {
        Optimization = new OptimizationOptions(Iterations: 50, AlphaRate: 0.1, StallIterations: 8),
        Bab = new BabOptions(BatchSize: 1024, MaxDomains: 400_000,
            RecomputeIntermediate: false, WorstFirst: true, WarmStartAlpha: true, Branching: BranchingRule.BaBsr,
            FsbCandidates: 8, InputSplitCrownIntermediate: true)
        {
            Optimization = new OptimizationOptions(Iterations: 20, AlphaRate: 0.1, StallIterations: 3),
        },
        MipRefine = MipRefinePolicy.Automatic with { Schedule = MipRefineSchedule.Spread, ExactLayers = 1, NearestBinaries = 24 },
    };

    [Test]
    public void TheDefaultPresetIsTodaysDefaults()
    {
        Assert.That(VerifierPresets.Default.Options with { TimeoutSeconds = 10 }, Is.EqualTo(TodaysDefaults));
        Assert.That(Bind(), Is.EqualTo(TodaysDefaults));
        Assert.That(Bind("--preset", "default"), Is.EqualTo(TodaysDefaults));
    }

    [Test]
    public void FastIsShortAndHasNoMipRefinement()
    {
        var fast = Bind("--preset", "fast");
        Assert.That(fast.MipRefine, Is.EqualTo(MipRefinePolicy.Off));
        Assert.That(fast.Optimization.Iterations, Is.LessThan(TodaysDefaults.Optimization.Iterations));
        Assert.That(fast.Bab.Optimization.Iterations, Is.LessThan(TodaysDefaults.Bab.Optimization.Iterations));
        Assert.That(fast.Attack!.Steps * fast.Attack.Restarts, Is.LessThan(TodaysDefaults.Attack!.Steps * TodaysDefaults.Attack.Restarts));
        Assert.That(fast, Is.EqualTo(VerifierPresets.Fast.Options with { TimeoutSeconds = 10 }));
    }

    [Test]
    public void ThoroughSpendsMoreAndKeepsMipRefinementOn()
    {
        var thorough = Bind("--preset", "thorough");
        Assert.That(thorough.MipRefine.AfterFirstSlice, Is.True);
        Assert.That(thorough.Optimization.Iterations, Is.GreaterThan(TodaysDefaults.Optimization.Iterations));
        Assert.That(thorough.Bab.Optimization.Iterations, Is.GreaterThan(TodaysDefaults.Bab.Optimization.Iterations));
        Assert.That(thorough.Attack!.Steps * thorough.Attack.Restarts, Is.GreaterThan(TodaysDefaults.Attack!.Steps * TodaysDefaults.Attack.Restarts));
    }

    [Test]
    public void ExplicitFlagsOverrideThePreset()
    {
        var o = Bind("--preset", "fast", "--alpha-iterations", "33", "--mip-refine", "auto", "--bab-branching", "fsb", "--alpha-lr", "0.2");
        Assert.That(o.Optimization.Iterations, Is.EqualTo(33));
        Assert.That(o.Optimization.AlphaRate, Is.EqualTo(0.2));
        Assert.That(o.Bab.Optimization.AlphaRate, Is.EqualTo(0.2));
        Assert.That(o.MipRefine, Is.EqualTo(MipRefinePolicy.Automatic));
        Assert.That(o.Bab.Branching, Is.EqualTo(BranchingRule.Fsb));
        Assert.That(o.Attack, Is.EqualTo(VerifierPresets.Fast.Options.Attack), "what was not given stays the preset's");
        Assert.That(o.Bab.Optimization.Iterations, Is.EqualTo(VerifierPresets.Fast.Options.Bab.Optimization.Iterations));
        Assert.That(Bind("--preset", "thorough", "--no-attack").Attack, Is.Null);
    }

    [Test]
    public void AnUnknownPresetIsAUserError()
    {
        var o = CliRunner.Run("check", "a.onnx", "b.vnnlib", "--preset", "turbo");
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr);
        Assert.That(o.Stderr, Does.Contain("turbo"));
    }

    [Test]
    public void CheckNamesThePresetInTheConsoleAndTheJson()
    {
        var json = Path.GetTempFileName();
        try
        {
            var o = CliRunner.Run("check", Paths.Example("mnist_mlp.onnx"), Paths.Example("mnist_mlp_robust.vnnlib"), "--preset", "fast", "--json", json);
            Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
            Assert.That(o.Stdout, Does.Contain("preset").And.Contain("fast (short attack"));
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.That(doc.RootElement.GetProperty("preset").GetString(), Is.EqualTo("fast"));
        }
        finally { File.Delete(json); }
    }
}
