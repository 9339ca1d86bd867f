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
    public Option<int> AlphaIterations { get; } = new("--alpha-iterations") { Description = "Adam steps of alpha-CROWN on the whole property" };

    /// <summary>--alpha-lr.</summary>
    public Option<double> AlphaRate { get; } = new("--alpha-lr") { Description = "Learning rate of alpha" };

    /// <summary>--bab-batch.</summary>
    public Option<int> BabBatch { get; } = new("--bab-batch") { Description = "Branch-and-bound domains bounded per batched step" };

    /// <summary>--bab-iterations.</summary>
    public Option<int> BabIterations { get; } = new("--bab-iterations") { Description = "alpha/beta Adam steps per branch-and-bound step (0: plain CROWN)" };

    /// <summary>--bab-max-domains.</summary>
    public Option<int> BabMaxDomains { get; } = new("--bab-max-domains") { Description = "Memory cap: give up (unknown) beyond this many pending domains" };

    /// <summary>--max-memory.</summary>
    public Option<double?> MaxMemory { get; } = new("--max-memory")
    {
        Description = "Memory limit in GiB: branch and bound stops (unknown, memory limit) rather than grow past it (default: 75% of physical memory)",
    };

    /// <summary>--input-split-max.</summary>
    public Option<int> InputSplitMax { get; } = new("--input-split-max") { Description = "Split inputs (not ReLUs) when the network has at most this many inputs" };

    /// <summary>--input-split-bounds.</summary>
    public Option<string> InputSplitBounds { get; } = new("--input-split-bounds")
    {
        Description = "Intermediate bounds of input splitting: forward (forward linear bounds) or crown (tightened by backward CROWN)",
    };

    /// <summary>--lp-tighten.</summary>
    public Option<double> LpTighten { get; } = new("--lp-tighten")
    {
        Description = "Seconds for tightening unstable neurons' bounds by LP (OR-Tools GLOP) before alpha-CROWN and ReLU branching (0: off)",
    };

    /// <summary>--mip-refine.</summary>
    public Option<string> MipRefine { get; } = new("--mip-refine")
    {
        Description = "Tighten unstable neurons' bounds by MIP (SCIP, one solver per core): auto (when a first slice of ReLU splitting does not decide), off, or a number of seconds to spend up front",
    };

    /// <summary>--mip-refine-schedule.</summary>
    public Option<string> MipRefineSchedule { get; } = new("--mip-refine-schedule")
    {
        Description = "How MIP refinement spends its time: spread (equal time per layer and further sweeps with the time left, 2 s per solve, the last layer's neurons by their effect on the property) or layers (each layer finished before the next, neurons nearest to stable first, 5 s per solve)",
    };

    /// <summary>--mip-refine-exact-layers.</summary>
    public Option<int> MipRefineExactLayers { get; } = new("--mip-refine-exact-layers")
    {
        Description = "MIP refinement: activation layers below a refined layer that get binaries, nearest first (0: all); the farther ones enter by their LP (triangle) relaxation",
    };

    /// <summary>--mip-refine-binaries.</summary>
    public Option<int> MipRefineBinaries { get; } = new("--mip-refine-binaries")
    {
        Description = "MIP refinement: binaries per refined neuron in the activation layer just below it, those with the largest |weight|·intercept (0: all); the others enter by their triangle relaxation",
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
    };

    /// <summary>--bab-branching.</summary>
    public Option<string> BabBranching { get; } = new("--bab-branching")
    {
        Description = "ReLU splitting: choose the neuron by the BaBSR score (babsr) or by filtered smart branching among the top BaBSR candidates (fsb)",
    };

    /// <summary>--bab-split-point.</summary>
    public Option<string> BabSplitPoint { get; } = new("--bab-split-point")
    {
        Description = "Sigmoid/tanh interval splitting: split at the point minimising the children's relaxation area (area) or at the midpoint (midpoint)",
    };

    /// <summary>--fsb-candidates.</summary>
    public Option<int> FsbCandidates { get; } = new("--fsb-candidates")
    {
        Description = "Filtered smart branching: BaBSR candidates per domain whose children's bounds are estimated",
    };

    /// <summary>--preset.</summary>
    public Option<string> Preset { get; } = new("--preset")
    {
        Description = "Tuning preset: fast (short attack, few alpha steps, no MIP refinement), default, or thorough (long attack, many alpha/beta steps); the flags below override its values",
        DefaultValueFactory = _ => VerifierPresets.Default.Name,
    };

    /// <summary>Creates the options with their accepted values.</summary>
    public VerifierOptionsBinder()
    {
        Preset.AcceptOnlyFromAmong(VerifierPresets.All.Select(p => p.Name).ToArray());
        BabBranching.AcceptOnlyFromAmong("babsr", "fsb");
        BabOrder.AcceptOnlyFromAmong("worst", "fifo");
        BabSplitPoint.AcceptOnlyFromAmong("area", "midpoint");
        Method.AcceptOnlyFromAmong("ibp", "crown", "alpha-crown", "bab", "mip", "auto");
        InputSplitBounds.AcceptOnlyFromAmong("forward", "crown");
        MipRefineSchedule.AcceptOnlyFromAmong("layers", "spread");
        var d = VerifierPresets.Default.Options;
        var bab = d.Bab;
        var mip = d.MipRefine;
        Note(AlphaIterations, d.Optimization.Iterations);
        Note(AlphaRate, d.Optimization.AlphaRate);
        Note(BabBatch, bab.BatchSize);
        Note(BabIterations, bab.Optimization.Iterations);
        Note(BabMaxDomains, bab.MaxDomains);
        Note(InputSplitMax, d.InputSplitMaxInputs);
        Note(InputSplitBounds, bab.InputSplitCrownIntermediate ? "crown" : "forward");
        Note(LpTighten, d.LpTightenSeconds);
        Note(MipRefine, mip.AfterFirstSlice ? "auto" : mip.UpFrontSeconds > 0 ? mip.UpFrontSeconds : "off");
        Note(MipRefineSchedule, mip.Schedule == Verification.MipRefineSchedule.Spread ? "spread" : "layers");
        Note(MipRefineExactLayers, mip.ExactLayers);
        Note(MipRefineBinaries, mip.NearestBinaries);
        Note(BabOrder, bab.WorstFirst ? "worst" : "fifo");
        Note(BabBranching, bab.Branching == BranchingRule.BaBsr ? "babsr" : "fsb");
        Note(FsbCandidates, bab.FsbCandidates);
        Note(BabSplitPoint, bab.SplitPoint == SplitPointRule.MinArea ? "area" : "midpoint");
    }

    static void Note(Option option, object defaultValue) =>
        option.Description += $" (default preset: {System.Convert.ToString(defaultValue, System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Preset, Method, NoAttack, AlphaIterations, AlphaRate, BabBatch, BabIterations, BabMaxDomains, MaxMemory, InputSplitMax, InputSplitBounds, LpTighten, MipRefine, MipRefineSchedule, MipRefineExactLayers, MipRefineBinaries, BabRecompute, BabColdAlpha, BabOrder, BabBranching, FsbCandidates, BabSplitPoint })
            command.Options.Add(o);
        common.AddTo(command);
    }

    /// <summary>The preset named by --preset (default: <see cref="VerifierPresets.Default"/>).</summary>
    public VerifierPreset PresetOf(ParseResult parse) => VerifierPresets.Named(parse.GetValue(Preset) ?? VerifierPresets.Default.Name);

    /// <summary>The options for a run with the given time limit: the preset's values, overridden by the flags given.</summary>
    public VerifierOptions Bind(ParseResult parse, double timeoutSeconds)
    {
        bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
        T Pick<T>(Option<T> o, T presetValue) => Given(o) ? parse.GetValue(o)! : presetValue;
        int AtLeast(Option<int> o, int presetValue, int min = 1)
        {
            var v = Pick(o, presetValue);
            if (v < min) throw new VerifyException($"{o.Name} must be at least {min}");
            return v;
        }
        var maxMemory = parse.GetValue(MaxMemory);
        if (maxMemory is { } gib && !(gib > 0)) throw new VerifyException("--max-memory must be a positive number of GiB");
        var p = PresetOf(parse).Options;
        var pBab = p.Bab;
        var pMip = p.MipRefine;
        var alphaRate = Pick(AlphaRate, p.Optimization.AlphaRate);
        if (!(alphaRate > 0)) throw new VerifyException("--alpha-lr must be positive");
        bool rateGiven = Given(AlphaRate);
        var alpha = p.Optimization with { Iterations = AtLeast(AlphaIterations, p.Optimization.Iterations, 0) };
        var step = pBab.Optimization with { Iterations = AtLeast(BabIterations, pBab.Optimization.Iterations, 0) };
        if (rateGiven) { alpha = alpha with { AlphaRate = alphaRate }; step = step with { AlphaRate = alphaRate }; }
        var refine = Given(MipRefine) ? MipRefineOf(parse.GetValue(MipRefine)!) with
        {
            Schedule = pMip.Schedule, ExactLayers = pMip.ExactLayers, NearestBinaries = pMip.NearestBinaries,
        } : pMip;
        return p with
        {
            Method = MethodOf(parse.GetValue(Method)!),
            TimeoutSeconds = timeoutSeconds,
            Device = common.DeviceOf(parse),
            DType = common.DTypeOf(parse),
            Attack = parse.GetValue(NoAttack) ? null : p.Attack,
            Optimization = alpha,
            Bab = pBab with
            {
                BatchSize = AtLeast(BabBatch, pBab.BatchSize),
                MaxDomains = AtLeast(BabMaxDomains, pBab.MaxDomains),
                Optimization = step,
                RecomputeIntermediate = Given(BabRecompute) ? parse.GetValue(BabRecompute) : pBab.RecomputeIntermediate,
                WorstFirst = Given(BabOrder) ? parse.GetValue(BabOrder) != "fifo" : pBab.WorstFirst,
                WarmStartAlpha = Given(BabColdAlpha) ? !parse.GetValue(BabColdAlpha) : pBab.WarmStartAlpha,
                Branching = Given(BabBranching) ? parse.GetValue(BabBranching) == "babsr" ? BranchingRule.BaBsr : BranchingRule.Fsb : pBab.Branching,
                FsbCandidates = AtLeast(FsbCandidates, pBab.FsbCandidates),
                SplitPoint = Given(BabSplitPoint) ? parse.GetValue(BabSplitPoint) == "midpoint" ? SplitPointRule.Midpoint : SplitPointRule.MinArea : pBab.SplitPoint,
                InputSplitCrownIntermediate = Given(InputSplitBounds) ? parse.GetValue(InputSplitBounds) == "crown" : pBab.InputSplitCrownIntermediate,
                MaxMemoryBytes = maxMemory is { } limit ? (long)Math.Min(limit * MemoryUse.GiB, long.MaxValue / 2) : pBab.MaxMemoryBytes,
            },
            InputSplitMaxInputs = AtLeast(InputSplitMax, p.InputSplitMaxInputs, 0),
            LpTightenSeconds = Given(LpTighten) ? Math.Max(0, parse.GetValue(LpTighten)) : p.LpTightenSeconds,
            MipRefine = refine with
            {
                Schedule = Given(MipRefineSchedule) ? parse.GetValue(MipRefineSchedule) == "spread" ? Verification.MipRefineSchedule.Spread : Verification.MipRefineSchedule.Layers : refine.Schedule,
                ExactLayers = AtLeast(MipRefineExactLayers, refine.ExactLayers, 0),
                NearestBinaries = AtLeast(MipRefineBinaries, refine.NearestBinaries, 0),
            },
        };
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
