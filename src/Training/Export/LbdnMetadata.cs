using System.Globalization;
using Verify.Import;

namespace Verify.Training.Export;

/// <summary>
/// The LBDN facts an exported file carries in its ONNX metadata: the construction's γ and the LipSDP-Neuron
/// multipliers that certify it (a claim to check, never trusted: see Certification.LipSdpLmi).
/// </summary>
/// <param name="Gamma">The claimed l2 Lipschitz bound.</param>
/// <param name="Multipliers">One multiplier per hidden neuron, layer by layer.</param>
public sealed record LbdnMetadata(double Gamma, double[] Multipliers)
{
    /// <summary>Metadata key of γ.</summary>
    public const string GammaKey = "verify.lbdn.gamma";

    /// <summary>Metadata key of the multipliers (comma-separated).</summary>
    public const string MultipliersKey = "verify.lbdn.multipliers";

    /// <summary>The metadata of the file at <paramref name="path"/>, or null when it has none (or malformed values).</summary>
    public static LbdnMetadata? Read(string path)
    {
        var model = OnnxModelReader.Load(path);
        string? gamma = null, multipliers = null;
        foreach (var p in model.MetadataProps)
        {
            if (p.Key == GammaKey) gamma = p.Value;
            if (p.Key == MultipliersKey) multipliers = p.Value;
        }
        if (gamma is null || multipliers is null) return null;
        var inv = CultureInfo.InvariantCulture;
        if (!double.TryParse(gamma, NumberStyles.Float, inv, out var g)) return null;
        var values = new List<double>();
        foreach (var v in multipliers.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(v, NumberStyles.Float, inv, out var d)) return null;
            values.Add(d);
        }
        return new LbdnMetadata(g, values.ToArray());
    }
}
