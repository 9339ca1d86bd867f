namespace Verify.Verification;

/// <summary>A named, documented set of verifier tuning values (`--preset`); explicit flags override its values.</summary>
/// <param name="Name">The name given to `--preset`.</param>
/// <param name="Description">What it is for, in one line.</param>
/// <param name="Options">Its options (time limit, device and precision are placeholders the caller replaces).</param>
public sealed record VerifierPreset(string Name, string Description, VerifierOptions Options);
