namespace Verify.Training.Certification;

/// <summary>One line of a per-image certify CSV, as read back.</summary>
/// <param name="Index">Test-set index of the image.</param>
/// <param name="Label">Its true label.</param>
/// <param name="Clean">Classified correctly.</param>
/// <param name="PgdRobust">Correct and not broken by the attack.</param>
/// <param name="Certified">Proved robust.</param>
/// <param name="File">The file the line came from.</param>
public sealed record ImageRow(long Index, long Label, bool Clean, bool PgdRobust, bool Certified, string File)
{
    /// <summary>True when both rows give the same answers for the same image.</summary>
    public bool Agrees(ImageRow other) =>
        (Index, Label, Clean, PgdRobust, Certified) == (other.Index, other.Label, other.Clean, other.PgdRobust, other.Certified);
}
