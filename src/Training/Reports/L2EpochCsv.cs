using System.Globalization;
using Verify.Training.Lipschitz;

namespace Verify.Training.Reports;

/// <summary>The per-epoch CSV log of an l2 (Lipschitz-margin) run.</summary>
public static class L2EpochCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "epoch,loss,train_acc,clean_acc,l2_certified_acc,l2_pgd_acc,lipschitz,train_seconds,lr";

    /// <summary>Writes the header when the file is new, then appends one line.</summary>
    public static void Append(string path, L2EpochRecord r)
    {
        if (!File.Exists(path)) File.WriteAllText(path, Header + "\n");
        var inv = CultureInfo.InvariantCulture;
        File.AppendAllText(path, string.Join(",", new[]
        {
            r.Epoch.ToString(inv), F(r.Loss), F(r.TrainAccuracy), F(r.CleanAccuracy), F(r.CertifiedAccuracy), F(r.PgdAccuracy),
            r.Lipschitz.ToString("G6", inv), F(r.TrainSeconds), r.LearningRate.ToString("G6", inv),
        }) + "\n");
        static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
    }
}
