using System.Diagnostics;
using Verify.Import;

using Verify.Lipschitz.Sdp;

using Verify.Lipschitz;
namespace Verify.Cli.Studies;

/// <summary>
/// Measures LipSDP on a network file (LipSDP JSON weights, or ONNX densified by <see cref="DenseNetwork.FromGraph"/>):
/// the API behind the benchmark figures in docs/benchmarks.md (exposed on the command line by
/// <c>verify lipschitz --method lipsdp</c>).
/// </summary>
public static class LipSdpBenchmark
{
    /// <summary>Loads a .json weights file or an .onnx model as a dense network.</summary>
    public static DenseNetwork Load(string path) =>
        Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase)
            ? DenseNetwork.FromGraph(OnnxImporter.Load(path))
            : LipSdpWeightsReader.Read(path);

    /// <summary>Runs the naive bound, then every requested form × method with the given base options.</summary>
    public static LipSdpBenchmarkReport Run(string path, IEnumerable<LipSdpForm> forms, IEnumerable<LipSdpMethod> methods,
        LipSdpOptions? options = null)
    {
        options ??= LipSdpOptions.Default;
        var network = Load(path);
        var clock = Stopwatch.StartNew();
        double naive = NaiveLipschitz.SpectralNormProduct(network);
        double naiveSeconds = clock.Elapsed.TotalSeconds;
        var rows = new List<LipSdpBenchmarkRow>();
        foreach (var method in methods)
            foreach (var form in forms)
                rows.Add(new LipSdpBenchmarkRow(form, method, LipSdpSolver.Solve(network, options with { Form = form, Method = method })));
        var sizes = new[] { network.InputSize }.Concat(network.Layers.Select(l => l.Outputs)).ToArray();
        return new LipSdpBenchmarkReport(path, sizes, naive, naiveSeconds, rows);
    }
}
