using static TorchSharp.torch;

namespace Verify.Training.Models;

/// <summary>
/// One pass's BatchNorm mode: in training, the batch statistics of the clean forward pass are recorded (detached) so
/// that the bound pass of the same batch uses them as constants; otherwise the running statistics are used.
/// </summary>
public sealed class RunState
{
    readonly Dictionary<int, (Tensor Mean, Tensor Var)> stats = new();

    /// <summary>A state for training (batch statistics, running statistics updated).</summary>
    public static RunState Train() => new() { Training = true };

    /// <summary>A state for evaluation (running statistics).</summary>
    public static RunState Eval() => new() { Training = false };

    /// <summary>
    /// A state for re-estimating the running statistics: the k-th calibration batch (1-based) is averaged in with
    /// momentum 1/k, so that after k batches they are the mean of the k batches' statistics.
    /// </summary>
    public static RunState Calibration(int k) => new() { Training = true, Momentum = 1.0 / k };

    /// <summary>Running-statistics momentum overriding the layers' own (calibration), or null.</summary>
    public double? Momentum { get; private init; }

    /// <summary>Whether the forward pass uses and records batch statistics.</summary>
    public bool Training { get; private init; }

    /// <summary>Records the statistics a BatchNorm layer used in the forward pass.</summary>
    public void Record(int layer, Tensor mean, Tensor variance) => stats[layer] = (mean.detach(), variance.detach());

    /// <summary>The statistics recorded for a layer, if any.</summary>
    public (Tensor Mean, Tensor Var)? Recorded(int layer) => stats.TryGetValue(layer, out var s) ? s : null;
}
