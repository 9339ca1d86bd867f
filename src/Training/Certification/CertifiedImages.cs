namespace Verify.Training.Certification;

/// <summary>Per-image answers of <see cref="EngineCertifier.Images"/> for a run of consecutive test images.</summary>
/// <param name="FirstIndex">Test-set index of the first image.</param>
/// <param name="Labels">True label of each image.</param>
/// <param name="Correct">Classified correctly.</param>
/// <param name="PgdRobust">Correct and not broken by the attack.</param>
/// <param name="Certified">Proved robust by the engine's bounds.</param>
public sealed record CertifiedImages(long FirstIndex, long[] Labels, bool[] Correct, bool[] PgdRobust, bool[] Certified)
{
    /// <summary>The counts of these images.</summary>
    public CertifyCounts Counts => new(Labels.Length, Correct.Count(c => c), PgdRobust.Count(c => c), Certified.Count(c => c),
        Certified.Where((c, i) => c && !PgdRobust[i]).Count());
}
