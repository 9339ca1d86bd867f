using System.CommandLine;
using Verify.Attack;
using Verify.Bounds;
using Verify.Branching;
using Verify.Verification;

namespace Verify.Cli.Commands;

/// <summary>The options of the verification pipeline shared by `check` and `bench`, turned into one <see cref="VerifierOptions"/>.</summary>
public sealed class VerifierOptionsBinder
{
    readonly CommonOptions common = new();

    /// <summary>--method.</summary>
    public Option<string> Method { get; } = new("--method")
    {
        Description = "ibp, crown, alpha-crown (incomplete), bab (alpha-CROWN then branch and bound), mip (exact, small networks) or auto (attack, IBP, CROWN, alpha-CROWN, branch and bound)",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>--no-attack.</summary>
    public Option<bool> NoAttack { get; } = new("--no-attack") { Description = "Skip the PGD counterexample search" };

    /// <summary>--alpha-iterations.</summary>
    public Option<int> AlphaIterations { get; } = new("--alpha-iterations") { Description = "Adam steps of alpha-CROWN on the whole property", DefaultValueFactory = _ => 50 };

    /// <summary>--alpha-lr.</summary>
    public Option<double> AlphaRate { get; } = new("--alpha-lr") { Description = "Learning rate of alpha", DefaultValueFactory = _ => 0.1 };

    /// <summary>--bab-batch.</summary>
    public Option<int> BabBatch { get; } = new("--bab-batch") { Description = "Branch-and-bound domains bounded per batched step", DefaultValueFactory = _ => 1024 };

    /// <summary>--bab-iterations.</summary>
    public Option<int> BabIterations { get; } = new("--bab-iterations") { Description = "alpha/beta Adam steps per branch-and-bound step (0: plain CROWN)", DefaultValueFactory = _ => 20 };

    /// <summary>--bab-max-domains.</summary>
    public Option<int> BabMaxDomains { get; } = new("--bab-max-domains") { Description = "Memory cap: give up (unknown) beyond this many pending domains", DefaultValueFactory = _ => 400_000 };

    /// <summary>--max-memory.</summary>
    public Option<double?> MaxMemory { get; } = new("--max-memory")
    {
        Description = "Memory limit in GiB: branch and bound stops (unknown, memory limit) rather than grow past it (default: 75% of physical memory)",
    };

    /// <summary>--input-split-max.</summary>
    public Option<int> InputSplitMax { get; } = new("--input-split-max") { Description = "Split inputs (not ReLUs) when the network has at most this many inputs", DefaultValueFactory = _ => 16 };

    /// <summary>--input-split-bounds.</summary>
    public Option<string> InputSplitBounds { get; } = new("--input-split-bounds")
    {
        Description = "Intermediate bounds of input splitting: forward (forward linear bounds) or crown (tightened by backward CROWN)",
        DefaultValueFactory = _ => "crown",
    };

    /// <summary>--lp-tighten.</summary>
    public Option<double> LpTighten { get; } = new("--lp-tighten")
    {
        Description = "Seconds for tightening unstable neurons' bounds by LP (OR-Tools GLOP) before alpha-CROWN and ReLU branching (0: off)",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>--mip-refine.</summary>
    public Option<string> MipRefine { get; } = new("--mip-refine")
    {
        Description = "Tighten unstable neurons' bounds by MIP (SCIP, one solver per core): auto (when a first slice of ReLU splitting does not decide), off, or a number of seconds to spend up front",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>--mip-refine-schedule.</summary>
    public Option<string> MipRefineSchedule { get; } = new("--mip-refine-schedule")
    {
        Description = "How MIP refinement spends its time: spread (equal time per layer and further sweeps with the time left, 2 s per solve, the last layer's neurons by their effect on the property) or layers (each layer finished before the next, neurons nearest to stable first, 5 s per solve)",
        DefaultValueFactory = _ => "spread",
    };

    /// <summary>--mip-refine-exact-layers.</summary>
    public Option<int> MipRefineExactLayers { get; } = new("--mip-refine-exact-layers")
    {
        Description = "MIP refinement: activation layers below a refined layer that get binaries, nearest first (0: all); the farther ones enter by their LP (triangle) relaxation",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>--mip-refine-binaries.</summary>
    public Option<int> MipRefineBinaries { get; } = new("--mip-refine-binaries")
    {
        Description = "MIP refinement: binaries per refined neuron in the activation layer just below it, those with the largest |weight|·intercept (0: all); the others enter by their triangle relaxation",
        DefaultValueFactory = _ => 24,
    };

    /// <summary>--bab-recompute-bounds.</summary>
    public Option<bool> BabRecompute { get; } = new("--bab-recompute-bounds")
    {
        Description = "ReLU splitting: recompute every domain's intermediate bounds by CROWN with its splits (tighter, slower)",
    };

    /// <summary>--bab-cold-alpha.</summary>
    public Option<bool> BabColdAlpha { get; } = new("--bab-cold-alpha")
    {
        Description = "ReLU splitting: start every domain's alpha optimisation from the default slopes instead of its parent's",
    };

    /// <summary>--bab-order.</summary>
    public Option<string> BabOrder { get; } = new("--bab-order")
    {
        Description = "ReLU splitting: expand the worst-bounded domains first (worst) or in creation order (fifo)",
        DefaultValueFactory = _ => "worst",
    };

    /// <summary>--bab-branching.</summary>
    public Option<string> BabBranching { get; } = new("--bab-branching")
    {
        Description = "ReLU splitting: choose the neuron by the BaBSR score (babsr) or by filtered smart branching among the top BaBSR candidates (fsb)",
        DefaultValueFactory = _ => "babsr",
    };

    /// <summary>--fsb-candidates.</summary>
    public Option<int> FsbCandidates { get; } = new("--fsb-candidates")
    {
        Description = "Filtered smart branching: BaBSR candidates per domain whose children's bounds are estimated",
        DefaultValueFactory = _ => 8,
    };

    /// <summary>Creates the options with their accepted values.</summary>
    public VerifierOptionsBinder()
    {
        BabBranching.AcceptOnlyFromAmong("babsr", "fsb");
        BabOrder.AcceptOnlyFromAmong("worst", "fifo");
        Method.AcceptOnlyFromAmong("ibp", "crown", "alpha-crown", "bab", "mip", "auto");
        InputSplitBounds.AcceptOnlyFromAmong("forward", "crown");
        MipRefineSchedule.AcceptOnlyFromAmong("layers", "spread");
    }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Method, NoAttack, AlphaIterations, AlphaRate, BabBatch, BabIterations, BabMaxDomains, MaxMemory, InputSplitMax, InputSplitBounds, LpTighten, MipRefine, MipRefineSchedule, MipRefineExactLayers, MipRefineBinaries, BabRecompute, BabColdAlpha, BabOrder, BabBranching, FsbCandidates })
            command.Options.Add(o);
        common.AddTo(command);
    }

    /// <summary>The options for a run with the given time limit.</summary>
    public VerifierOptions Bind(ParseResult parse, double timeoutSeconds)
    {
        int Positive(Option<int> o, int min = 1)
        {
            var v = parse.GetValue(o);
            if (v < min) throw new VerifyException($"{o.Name} must be at least {min}");
            return v;
        }
        var alphaRate = parse.GetValue(AlphaRate);
        var maxMemory = parse.GetValue(MaxMemory);
        if (maxMemory is { } gib && !(gib > 0)) throw new VerifyException("--max-memory must be a positive number of GiB");
        if (!(alphaRate > 0)) throw new VerifyException("--alpha-lr must be positive");
        return new VerifierOptions(
            MethodOf(parse.GetValue(Method)!), timeoutSeconds, common.DeviceOf(parse), common.DTypeOf(parse),
            parse.GetValue(NoAttack) ? null : new AttackOptions(),
            Optimization: new OptimizationOptions(Iterations: Positive(AlphaIterations, 0), AlphaRate: alphaRate, StallIterations: 8),
            Bab: new BabOptions(BatchSize: Positive(BabBatch), MaxDomains: Positive(BabMaxDomains),
                Optimization: new OptimizationOptions(Iterations: Positive(BabIterations, 0), AlphaRate: alphaRate, StallIterations: 3),
                RecomputeIntermediate: parse.GetValue(BabRecompute),
                WorstFirst: parse.GetValue(BabOrder) != "fifo",
                WarmStartAlpha: !parse.GetValue(BabColdAlpha),
                Branching: parse.GetValue(BabBranching) == "babsr" ? BranchingRule.BaBsr : BranchingRule.Fsb,
                FsbCandidates: Positive(FsbCandidates),
                InputSplitCrownIntermediate: parse.GetValue(InputSplitBounds) == "crown",
                MaxMemoryBytes: maxMemory is { } limit ? (long)Math.Min(limit * MemoryUse.GiB, long.MaxValue / 2) : null),
            InputSplitMaxInputs: Positive(InputSplitMax, 0),
            LpTightenSeconds: Math.Max(0, parse.GetValue(LpTighten)),
            MipRefine: MipRefineOf(parse.GetValue(MipRefine)!) with
            {
                Schedule = parse.GetValue(MipRefineSchedule) == "spread" ? Verification.MipRefineSchedule.Spread : Verification.MipRefineSchedule.Layers,
                ExactLayers = Positive(MipRefineExactLayers, 0),
                NearestBinaries = Positive(MipRefineBinaries, 0),
            });
    }

    /// <summary>The refinement policy named on the command line.</summary>
    static MipRefinePolicy MipRefineOf(string value) => value switch
    {
        "auto" => MipRefinePolicy.Automatic,
        "off" => MipRefinePolicy.Off,
        _ when double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s >= 0
            => s > 0 ? MipRefinePolicy.UpFront(s) : MipRefinePolicy.Off,
        _ => throw new VerifyException($"--mip-refine must be auto, off or a number of seconds, not '{value}'"),
    };

    /// <summary>The method choice named on the command line.</summary>
    public static MethodChoice MethodOf(string name) => name switch
    {
        "ibp" => MethodChoice.Ibp,
        "crown" => MethodChoice.Crown,
        "alpha-crown" => MethodChoice.AlphaCrown,
        "bab" => MethodChoice.Bab,
        "mip" => MethodChoice.Mip,
        _ => MethodChoice.Auto,
    };
}
