namespace Verify.Training.Certification;

/// <summary>Which engine bounds certify an image.</summary>
public enum CertifyMethod
{
    /// <summary>IBP.</summary>
    Ibp,
    /// <summary>CROWN with CROWN intermediate bounds.</summary>
    Crown,
    /// <summary>IBP, then CROWN on the images IBP leaves open.</summary>
    Auto,
}

/// <summary>Options of <see cref="EngineCertifier"/>.</summary>
/// <param name="Eps">L-inf radius (pixels in [0,1]; the ball is clipped to [0,1]).</param>
/// <param name="Method">Bound method.</param>
/// <param name="PgdSteps">PGD steps per restart (at least 50 for reports).</param>
/// <param name="PgdRestarts">PGD restarts (the first from the image itself).</param>
/// <param name="BatchSize">Images per batch.</param>
/// <param name="CrownBatchSize">Images per CROWN batch (CROWN's memory grows with unstable neurons).</param>
public sealed record CertifyOptions(double Eps, CertifyMethod Method = CertifyMethod.Auto, int PgdSteps = 50, int PgdRestarts = 3,
    int BatchSize = 200, int CrownBatchSize = 20);

/// <summary>Counts over the evaluated images; <see cref="Inconsistent"/> counts images certified yet attacked (must be 0).</summary>
public sealed record CertifyCounts(long Count, long Clean, long PgdRobust, long Certified, long Inconsistent)
{
    /// <summary>Sum of two counts.</summary>
    public static CertifyCounts operator +(CertifyCounts a, CertifyCounts b) =>
        new(a.Count + b.Count, a.Clean + b.Clean, a.PgdRobust + b.PgdRobust, a.Certified + b.Certified, a.Inconsistent + b.Inconsistent);

    /// <summary>No images.</summary>
    public static CertifyCounts Zero { get; } = new(0, 0, 0, 0, 0);
}
