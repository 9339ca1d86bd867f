using Verify.Attack;
using Verify.Bounds;
using Verify.Branching;

namespace Verify.Verification;

/// <summary>The presets of `verify check --preset` and `verify bench --preset`: fast, default and thorough.</summary>
public static class VerifierPresets
{
    /// <summary>
    /// Today's defaults, spelled out: PGD 60 steps × 8 restarts; alpha-CROWN 50 steps (rate 0.1, stop after 8 without
    /// progress); branch and bound in batches of 1024 domains, up to 400,000 pending, 20 alpha/beta steps per batch
    /// (stop after 3), worst bound first, BaBSR branching, parents' alphas as warm start; input splitting up to 16
    /// inputs with CROWN intermediate bounds; no LP tightening; MIP refinement after a first 10% slice of ReLU
    /// splitting, spread over the layers, one layer of binaries, 24 per neuron.
    /// </summary>
    public static VerifierPreset Default { get; } = new("default",
        "the measured defaults (docs/benchmarks.md)",
        VerifierOptions.Default);

    /// <summary>
    /// Quick triage: a short attack (20 steps × 2 restarts), alpha-CROWN with 10 steps (intermediate layers too),
    /// 5 alpha/beta steps per branch-and-bound batch, no MIP refinement. For the many easy instances of a large set and
    /// for smoke tests; hard instances are better left to the default.
    /// </summary>
    public static VerifierPreset Fast { get; } = new("fast",
        "short attack, alpha-CROWN with few steps, no MIP refinement",
        Default.Options with
        {
            Attack = new AttackOptions(Steps: 20, Restarts: 2),
            Optimization = new OptimizationOptions(Iterations: 10, AlphaRate: 0.1, StallIterations: 4),
            Bab = Default.Options.Bab with { Optimization = new OptimizationOptions(Iterations: 5, AlphaRate: 0.1, StallIterations: 2) },
            MipRefine = MipRefinePolicy.Off,
        });

    /// <summary>
    /// More effort per step for hard instances with generous time limits: a longer attack (200 steps × 32 restarts),
    /// alpha-CROWN with 200 steps on the property (stop after 20 without progress), 40 alpha/beta steps per
    /// branch-and-bound batch (stop after 6), and MIP refinement on after the first slice. The refinement's schedule
    /// and binaries, and BaBSR branching, stay as in the default: they are the measured best on MNIST-FC (two layers
    /// of binaries, 64 binaries per neuron and filtered smart branching were each measured worse; docs/benchmarks.md).
    /// Slower than the default at short limits; not yet shown to decide more (docs/benchmarks.md, "Presets").
    /// </summary>
    public static VerifierPreset Thorough { get; } = new("thorough",
        "long attack, many alpha/beta steps, MIP refinement on",
        Default.Options with
        {
            Attack = new AttackOptions(Steps: 200, Restarts: 32),
            Optimization = new OptimizationOptions(Iterations: 200, AlphaRate: 0.1, StallIterations: 20),
            Bab = Default.Options.Bab with { Optimization = new OptimizationOptions(Iterations: 40, AlphaRate: 0.1, StallIterations: 6) },
            MipRefine = MipRefinePolicy.Automatic,
        });

    /// <summary>All presets, fastest first.</summary>
    public static IReadOnlyList<VerifierPreset> All { get; } = [Fast, Default, Thorough];

    /// <summary>The preset called <paramref name="name"/>; a <see cref="VerifyException"/> for an unknown name.</summary>
    public static VerifierPreset Named(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new VerifyException($"--preset must be one of {string.Join(", ", All.Select(p => p.Name))}, not '{name}'");
}
