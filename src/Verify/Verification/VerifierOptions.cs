using Verify.Attack;
using Verify.Bounds;
using Verify.Branching;
using static TorchSharp.torch;

namespace Verify.Verification;

/// <summary>Which methods the verifier runs.</summary>
public enum MethodChoice
{
    /// <summary>IBP only.</summary>
    Ibp,
    /// <summary>CROWN only.</summary>
    Crown,
    /// <summary>CROWN, then alpha-CROWN (incomplete).</summary>
    AlphaCrown,
    /// <summary>CROWN and alpha-CROWN, then branch and bound (complete for ReLU networks, given time).</summary>
    Bab,
    /// <summary>IBP, CROWN, alpha-CROWN, then the suited branch and bound.</summary>
    Auto,
    /// <summary>The exact MIP (SCIP): complete for small piecewise-linear networks.</summary>
    Mip,
}

/// <summary>Options of one <see cref="Verifier"/> run.</summary>
/// <param name="Method">Methods to run.</param>
/// <param name="TimeoutSeconds">Wall-clock limit.</param>
/// <param name="Device">Device of every tensor.</param>
/// <param name="DType">Floating dtype of every tensor (float32 or float64).</param>
/// <param name="Attack">PGD options; null skips the attack.</param>
/// <param name="MaxSpecsPerPass">Largest number of specifications pushed backward at once.</param>
/// <param name="Optimization">alpha-CROWN options of the whole-property bound.</param>
/// <param name="Bab">Branch-and-bound options.</param>
/// <param name="InputSplitMaxInputs">Inputs up to this many are split (input branching); larger ones split ReLUs.</param>
/// <param name="OptimizeIntermediate">Optimise the intermediate bounds of the root by alpha-CROWN before the property's bound and branch and bound.</param>
/// <param name="MipRefine">When intermediate bounds are refined by MIP (SCIP); null: <see cref="MipRefinePolicy.Automatic"/>.</param>
/// <param name="LpTightenSeconds">Time for tightening the intermediate bounds of unstable neurons by LP (OR-Tools GLOP) before alpha-CROWN and ReLU branching; 0 turns it off.</param>
public sealed record VerifierOptions(
    MethodChoice Method,
    double TimeoutSeconds,
    Device Device,
    ScalarType DType,
    AttackOptions? Attack,
    int MaxSpecsPerPass = 4096,
    OptimizationOptions? Optimization = null,
    BabOptions? Bab = null,
    int InputSplitMaxInputs = 16,
    bool OptimizeIntermediate = true,
    double LpTightenSeconds = 0,
    MipRefinePolicy? MipRefine = null)
{
    /// <summary>CPU, float32, auto method, 60 s, default attack.</summary>
    public static VerifierOptions Default { get; } =
        new(MethodChoice.Auto, 60, TorchSharp.torch.CPU, ScalarType.Float32, new AttackOptions());

    /// <summary>The alpha-CROWN options in effect.</summary>
    public OptimizationOptions AlphaOptions => Optimization ?? new OptimizationOptions(Iterations: 50, StallIterations: 8);

    /// <summary>The alpha-CROWN options of intermediate bounds (fewer steps than the property's).</summary>
    public OptimizationOptions IntermediateOptimization => AlphaOptions with { Iterations = Math.Min(AlphaOptions.Iterations, 20), StallIterations = 4 };

    /// <summary>The MIP refinement policy in effect.</summary>
    public MipRefinePolicy MipRefinement => MipRefine ?? MipRefinePolicy.Automatic;

    /// <summary>The branch-and-bound options in effect.</summary>
    public BabOptions BabOptions => Bab ?? new BabOptions();
}
