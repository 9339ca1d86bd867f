using Verify.Training.Methods;

namespace Verify.Training.Lipschitz;

/// <summary>Everything an LBDN training run needs to know.</summary>
public sealed record LbdnOptions
{
    /// <summary>Model name (see Models.LbdnZoo.Names).</summary>
    public string Model { get; init; } = "lbdn-mlp";
    /// <summary>Hidden widths of the sandwich layers.</summary>
    public long[] Widths { get; init; } = Models.LbdnZoo.MlpWidths;
    /// <summary>The l2 Lipschitz bound γ of the construction.</summary>
    public double Gamma { get; init; } = 1;
    /// <summary>Natural (clean images) or PGD (l2 PGD adversarial examples at <see cref="TrainRadius"/>).</summary>
    public TrainingMethod Method { get; init; } = TrainingMethod.Natural;
    /// <summary>l2 radius of the evaluation (pixels in [0,1]).</summary>
    public double Radius { get; init; } = 1.58;
    /// <summary>l2 radius whose certifying margin √2 γ r is the loss offset (0: plain cross-entropy at temperature T).</summary>
    public double TrainRadius { get; init; } = 1.58;
    /// <summary>Temperature of the margin cross-entropy.</summary>
    public double Temperature { get; init; } = 0.25;
    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>Adam learning rate at the start (cosine decay to 0 unless <see cref="LrDecayEpochs"/> is given).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Epochs (1-based, at their start) where the learning rate is multiplied by <see cref="LrDecayFactor"/>.</summary>
    public int[] LrDecayEpochs { get; init; } = Array.Empty<int>();
    /// <summary>Learning-rate decay factor.</summary>
    public double LrDecayFactor { get; init; } = 0.2;
    /// <summary>PGD steps per training batch (PGD).</summary>
    public int PgdSteps { get; init; } = 5;
    /// <summary>Random seed.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Test images evaluated after every epoch.</summary>
    public int EvalCount { get; init; } = 1000;
    /// <summary>PGD steps of the per-epoch evaluation.</summary>
    public int EvalPgdSteps { get; init; } = 20;
    /// <summary>Limit of training images (0 = all).</summary>
    public int TrainLimit { get; init; }
}
