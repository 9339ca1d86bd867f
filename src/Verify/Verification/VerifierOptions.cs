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
/// <param name="InputSplitMaxInputs">Inputs up to this many are split (input branching); larger ones split ReLUs.</param>
/// <param name="OptimizeIntermediate">Optimise the intermediate bounds of the root by alpha-CROWN before the property's bound and branch and bound.</param>
/// <param name="LpTightenSeconds">Time for tightening the intermediate bounds of unstable neurons by LP (OR-Tools GLOP) before alpha-CROWN and ReLU branching; 0 turns it off.</param>
public sealed record VerifierOptions(
    MethodChoice Method,
    double TimeoutSeconds,
    Device Device,
    ScalarType DType,
    AttackOptions? Attack,
    int MaxSpecsPerPass = 4096,
    int InputSplitMaxInputs = 16,
    bool OptimizeIntermediate = true,
    double LpTightenSeconds = 0)
{
    /// <summary>alpha-CROWN options of the whole-property bound.</summary>
    public OptimizationOptions Optimization { get; init; } = OptimizationOptions.WholeProperty;

    /// <summary>Branch-and-bound options.</summary>
    public BabOptions Bab { get; init; } = new();

    /// <summary>When intermediate bounds are refined by MIP (SCIP).</summary>
    public MipRefinePolicy MipRefine { get; init; } = MipRefinePolicy.Automatic;

    /// <summary>How the time is divided between the stages.</summary>
    public TimeShares Shares { get; init; } = new();

    /// <summary>CPU, float32, auto method, 60 s, default attack.</summary>
    public static VerifierOptions Default { get; } =
        new(MethodChoice.Auto, 60, TorchSharp.torch.CPU, ScalarType.Float32, new AttackOptions());

    /// <summary>The alpha-CROWN options of intermediate bounds: the property's, with at most 20 steps and a shorter stall.</summary>
    public OptimizationOptions IntermediateOptimization => Optimization with { Iterations = Math.Min(Optimization.Iterations, 20), StallIterations = 4 };
}
