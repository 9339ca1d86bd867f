using System.CommandLine;
using Verify.Training.Certification;

namespace Verify.Cli.Commands;

/// <summary>The l2 flags of `verify certify`: --norm, --lipschitz, --lipschitz-bound, --lipsdp-time, --curve.</summary>
public sealed class L2CertifyOptions
{
    /// <summary>--norm.</summary>
    public Option<string> Norm { get; } = new("--norm") { Description = "linf (engine bounds) or l2 (margin > sqrt(2)*L*eps with a global l2 Lipschitz bound L)", DefaultValueFactory = _ => "linf" };

    /// <summary>--lipschitz.</summary>
    public Option<double?> Lipschitz { get; } = new("--lipschitz") { Description = "Claimed l2 Lipschitz bound (e.g. an LBDN's gamma); used only when LipSDP confirms it on the file" };

    /// <summary>--lipschitz-bound.</summary>
    public Option<string> Bound { get; } = new("--lipschitz-bound") { Description = "auto (min of LipSDP and the product of spectral norms), lipsdp or naive", DefaultValueFactory = _ => "auto" };

    /// <summary>--lipsdp-time.</summary>
    public Option<double> LipSdpTime { get; } = new("--lipsdp-time") { Description = "Seconds for LipSDP", DefaultValueFactory = _ => 120 };

    /// <summary>--curve.</summary>
    public Option<string?> Curve { get; } = new("--curve") { Description = "Write the certified accuracy against the l2 radius as a PNG to FILE" };

    /// <summary>Creates the options.</summary>
    public L2CertifyOptions()
    {
        Norm.AcceptOnlyFromAmong("linf", "l2");
        Bound.AcceptOnlyFromAmong("auto", "lipsdp", "naive");
    }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Norm, Lipschitz, Bound, LipSdpTime, Curve }) command.Options.Add(o);
    }

    /// <summary>Whether --norm l2 was asked for.</summary>
    public bool IsL2(ParseResult parse) => parse.GetValue(Norm) == "l2";

    /// <summary>One-line checks of the l2 flags.</summary>
    public void Validate(ParseResult parse)
    {
        bool l2 = IsL2(parse);
        if (!l2 && (parse.GetValue(Lipschitz) is not null || parse.GetValue(Curve) is not null || parse.GetResult(Bound) is { Implicit: false }))
            throw new VerifyException("--lipschitz, --lipschitz-bound and --curve need --norm l2");
        if (parse.GetValue(Lipschitz) is { } g && !(g > 0 && double.IsFinite(g))) throw new VerifyException($"--lipschitz must be positive and finite, got {g}");
        if (!(parse.GetValue(LipSdpTime) >= 0)) throw new VerifyException($"--lipsdp-time must be non-negative, got {parse.GetValue(LipSdpTime)}");
    }

    /// <summary>The bound options of the flags.</summary>
    public L2BoundOptions BoundOptions(ParseResult parse) => new(
        parse.GetValue(Bound) switch { "lipsdp" => L2BoundMethod.LipSdp, "naive" => L2BoundMethod.Naive, _ => L2BoundMethod.Auto },
        parse.GetValue(Lipschitz), parse.GetValue(LipSdpTime));
}
