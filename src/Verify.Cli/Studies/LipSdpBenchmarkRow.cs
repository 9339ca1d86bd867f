using Verify.Lipschitz.Sdp;

namespace Verify.Cli.Studies;

/// <summary>One measured LipSDP run.</summary>
/// <param name="Form">The multiplier form.</param>
/// <param name="Method">The solving method.</param>
/// <param name="Result">The solver's result (bound, LP lower bound, iterations, time).</param>
public sealed record LipSdpBenchmarkRow(LipSdpForm Form, LipSdpMethod Method, LipSdpResult Result);
