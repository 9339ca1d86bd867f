namespace Verify.Training.Lipschitz;

/// <summary>One epoch of an l2 (Lipschitz-margin) run: training averages and the evaluation on the fixed test sample.</summary>
/// <param name="Epoch">Epoch (0: before training).</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="TrainAccuracy">Training accuracy.</param>
/// <param name="CleanAccuracy">Clean test accuracy.</param>
/// <param name="CertifiedAccuracy">Certified l2 accuracy at the evaluation radius (margin &gt; √2 L r).</param>
/// <param name="PgdAccuracy">l2 PGD accuracy at the evaluation radius.</param>
/// <param name="Lipschitz">The l2 Lipschitz bound L used.</param>
/// <param name="TrainSeconds">Cumulative training time.</param>
/// <param name="LearningRate">Learning rate at the end of the epoch.</param>
public sealed record L2EpochRecord(int Epoch, double Loss, double TrainAccuracy, double CleanAccuracy, double CertifiedAccuracy,
    double PgdAccuracy, double Lipschitz, double TrainSeconds, double LearningRate);
