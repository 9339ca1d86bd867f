using Verify.Attack;
using static TorchSharp.torch;

namespace Verify.Verification;

/// <summary>Which bound methods the verifier runs.</summary>
public enum MethodChoice
{
    /// <summary>IBP only.</summary>
    Ibp,
    /// <summary>CROWN only.</summary>
    Crown,
    /// <summary>IBP, then CROWN when IBP does not prove the property.</summary>
    Auto,
}

/// <summary>Options of one <see cref="Verifier"/> run.</summary>
/// <param name="Method">Bound methods to run.</param>
/// <param name="TimeoutSeconds">Wall-clock limit.</param>
/// <param name="Device">Device of every tensor.</param>
/// <param name="DType">Floating dtype of every tensor (float32 or float64).</param>
/// <param name="Attack">PGD options; null skips the attack.</param>
/// <param name="MaxSpecsPerPass">Largest number of specifications pushed backward at once.</param>
public sealed record VerifierOptions(
    MethodChoice Method,
    double TimeoutSeconds,
    Device Device,
    ScalarType DType,
    AttackOptions? Attack,
    int MaxSpecsPerPass = 4096)
{
    /// <summary>CPU, float32, auto method, 60 s, default attack.</summary>
    public static VerifierOptions Default { get; } =
        new(MethodChoice.Auto, 60, TorchSharp.torch.CPU, ScalarType.Float32, new AttackOptions());
}
