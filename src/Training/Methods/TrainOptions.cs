using Verify.Training.Lipschitz;
using Verify.Training.Models;

namespace Verify.Training.Methods;

/// <summary>Everything a training run needs to know.</summary>
public sealed record TrainOptions
{
    /// <summary>Model name (see <see cref="ModelZoo.Names"/>).</summary>
    public string Model { get; init; } = "cnn-small";
    /// <summary>Objective.</summary>
    public TrainingMethod Method { get; init; } = TrainingMethod.Natural;
    /// <summary>Test (target) epsilon in pixel units ([0,1] images).</summary>
    public double Eps { get; init; } = 0.1;
    /// <summary>Training epsilon reached after the ramp (certified training often uses more than the test eps).</summary>
    public double TrainEps { get; init; } = 0.1;
    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Epochs of natural warm-up (eps = 0).</summary>
    public double WarmupEpochs { get; init; } = 1;
    /// <summary>Epochs of the eps ramp.</summary>
    public double RampEpochs { get; init; } = 5;
    /// <summary>Ramp shape.</summary>
    public RampShape Ramp { get; init; } = RampShape.Smoothed;
    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 5e-4;
    /// <summary>Epochs (1-based, at their start) where the learning rate is multiplied by <see cref="LrDecayFactor"/>.</summary>
    public int[] LrDecayEpochs { get; init; } = Array.Empty<int>();
    /// <summary>Learning-rate decay factor.</summary>
    public double LrDecayFactor { get; init; } = 0.2;
    /// <summary>Gradient-norm clipping (0 = off).</summary>
    public double GradClip { get; init; } = 10;
    /// <summary>Weight of the natural loss at the start of the ramp (IBP, CROWN-IBP).</summary>
    public double KappaStart { get; init; } = 1;
    /// <summary>Weight of the natural loss at the end of the ramp.</summary>
    public double KappaEnd { get; init; } = 0.5;
    /// <summary>CROWN-IBP's beta at the start of the ramp (it goes to 0 at the end).</summary>
    public double BetaStart { get; init; } = 1;
    /// <summary>CROWN-IBP: bound the cross-entropy directly (<see cref="Bounds.LossFusion"/>, one backward pass, not one per class).</summary>
    public bool LossFusion { get; init; }
    /// <summary>BatchNorm after every hidden layer.</summary>
    public bool BatchNorm { get; init; }
    /// <summary>Weight initialisation.</summary>
    public InitKind Init { get; init; } = InitKind.Default;
    /// <summary>Weight of Shi et al.'s warm-up regularisers (tightness, ReLU balance), decayed to 0 over the ramp.</summary>
    public double RegLambda { get; init; }
    /// <summary>PGD steps per training batch (PGD, TRADES).</summary>
    public int PgdSteps { get; init; } = 10;
    /// <summary>PGD step size in units of eps (Madry: 2.5 eps / steps when 0).</summary>
    public double PgdStepFraction { get; init; }
    /// <summary>TRADES' beta.</summary>
    public double TradesBeta { get; init; } = 6;
    /// <summary>Random seed.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Test images evaluated after every epoch.</summary>
    public int EvalCount { get; init; } = 1000;
    /// <summary>PGD steps of the per-epoch evaluation.</summary>
    public int EvalPgdSteps { get; init; } = 20;
    /// <summary>Test images of the IBP-tightness measurement.</summary>
    public int TightnessCount { get; init; } = 100;
    /// <summary>Limit of training images (0 = all).</summary>
    public int TrainLimit { get; init; }
    /// <summary>Cap S on every linear/conv layer's spectral norm (0 = off; see <see cref="SpectralConstraint"/>).</summary>
    public double SpectralNorm { get; init; }
    /// <summary>How the spectral cap is kept.</summary>
    public SpectralMethod SpectralMethod { get; init; } = SpectralMethod.PowerIteration;
    /// <summary>Step size η of the orthogonalised updates (<see cref="SpectralMethod.Orthogonalized"/>).</summary>
    public double SpectralLearningRate { get; init; } = 0.02;
    /// <summary>Directions each layer's power iteration tracks (<see cref="LayerOperator.DefaultDirections"/>; 1 = Miyato's single vector).</summary>
    public int SpectralDirections { get; init; } = LayerOperator.DefaultDirections;
    /// <summary>The margin cross-entropy replacing the cross-entropy of natural and PGD training (null: plain cross-entropy).</summary>
    public MarginLoss? Margin { get; init; }
}
