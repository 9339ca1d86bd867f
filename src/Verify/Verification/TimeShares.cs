namespace Verify.Verification;

/// <summary>How <see cref="Verifier"/> divides the time left between its stages (each a share of the time left then).</summary>
/// <param name="Attack">At most this share goes to the first attack (probe and PGD), which keeps the best points found when it is cut.</param>
/// <param name="StrongAttack">The longer attack before branch and bound.</param>
/// <param name="IntermediateAlpha">alpha-CROWN on the root's intermediate bounds.</param>
/// <param name="LpTighten">At most this share goes to LP tightening (with <see cref="VerifierOptions.LpTightenSeconds"/> as its own cap).</param>
/// <param name="UpFrontRefine">At most this share goes to MIP refinement up front (with the policy's seconds as its own cap).</param>
public sealed record TimeShares(double Attack = 0.25, double StrongAttack = 0.1, double IntermediateAlpha = 0.25, double LpTighten = 0.5, double UpFrontRefine = 0.8);
