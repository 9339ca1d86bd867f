using Verify.Lipschitz;

namespace Verify.Cli.Studies;

/// <summary>Figures of one (network, radius) case of the Lipschitz study; bounds are of the overall l∞ constant.</summary>
/// <param name="Network">Layer widths, e.g. "16-32-32-10".</param>
/// <param name="Radius">Radius of the l∞ ball around 0.5·1.</param>
/// <param name="Accuracy">Training accuracy of the network.</param>
/// <param name="Unstable">Unstable ReLUs under the forward CROWN bounds.</param>
/// <param name="Sampled">Sampled lower bound (attained).</param>
/// <param name="SampledSeconds">Time of the sampled bound.</param>
/// <param name="Naive">Naive bound.</param>
/// <param name="Crown">CROWN on the Jacobian graph.</param>
/// <param name="CrownSeconds">Its time.</param>
/// <param name="Bab">Branch-and-bound bound.</param>
/// <param name="BabSeconds">Its time (sampling, which gives its incumbent, included).</param>
/// <param name="BabExact">True when the branch-and-bound completed.</param>
/// <param name="Mip">MILP bound (exact when <paramref name="MipExact"/>).</param>
/// <param name="MipSeconds">Its time (sampling, which lets it skip outputs, included).</param>
/// <param name="MipExact">True when the MILP finished.</param>
public sealed record StudyCase(string Network, double Radius, double Accuracy, int Unstable, double Sampled, double SampledSeconds,
    double Naive, double Crown, double CrownSeconds, double Bab, double BabSeconds, bool BabExact, double Mip, double MipSeconds, bool MipExact)
{
    /// <summary>Branch-and-bound within 1% of the finished MILP and faster than it.</summary>
    public bool BabWithinOnePercentAndFaster => MipExact && Bab <= Mip * 1.01 + 1e-12 && BabSeconds < MipSeconds;
}
