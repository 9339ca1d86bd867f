using System.Globalization;
using Verify.Training.Methods;

namespace Verify.Training.Reports;

/// <summary>The per-epoch CSV log of a run.</summary>
public static class EpochCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "epoch,eps,loss,train_acc,clean_acc,ibp_certified_acc,pgd_acc,ibp_tightness,train_seconds,lr";

    /// <summary>Writes the header when the file is new, then appends one line.</summary>
    public static void Append(string path, EpochRecord r)
    {
        if (!File.Exists(path)) File.WriteAllText(path, Header + "\n");
        var inv = CultureInfo.InvariantCulture;
        File.AppendAllText(path, string.Join(",", new[]
        {
            r.Epoch.ToString(inv), F(r.Eps), F(r.Loss), F(r.TrainAccuracy), F(r.CleanAccuracy), F(r.IbpCertifiedAccuracy),
            F(r.PgdAccuracy), r.Tightness.ToString("G6", inv), F(r.TrainSeconds), r.LearningRate.ToString("G6", inv),
        }) + "\n");
        static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
    }
}
