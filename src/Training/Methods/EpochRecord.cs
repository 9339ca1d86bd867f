namespace Verify.Training.Methods;

/// <summary>One epoch of a run: training averages and the evaluation on the fixed test sample.</summary>
public sealed record EpochRecord(int Epoch, double Eps, double Loss, double TrainAccuracy, double CleanAccuracy,
    double IbpCertifiedAccuracy, double PgdAccuracy, double Tightness, double TrainSeconds, double LearningRate);

/// <summary>Progress of one batch, for progress bars.</summary>
public sealed record BatchProgress(int Epoch, int Epochs, long Batch, long Batches, double Eps, double Loss, double Accuracy);
