using System.Globalization;
using System.Text;
using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies;

/// <summary>Shape of a synthetic learned-index network and its many-box property.</summary>
/// <param name="Layers">Linear layers (the last one maps to the single output).</param>
/// <param name="Wide">Width of the wide hidden layers.</param>
/// <param name="Narrow">Width of the narrow hidden layers (wide and narrow alternate after the first, narrow, layer).</param>
/// <param name="Boxes">Input intervals: [0, 1] cut into this many equal pieces.</param>
/// <param name="Violated">Boxes whose output range is set too tight, so the property has counterexamples there.</param>
/// <param name="Seed">Seed of the weights and the sampling.</param>
/// <param name="TrainSteps">Adam steps fitting the network to a key distribution's CDF (<see cref="IndexTraining"/>); 0: random weights.</param>
public sealed record IndexNetworkOptions(int Layers = 50, int Wide = 1000, int Narrow = 600, int Boxes = 500,
    int[]? Violated = null, int Seed = 1, int TrainSteps = 0)
{
    /// <summary>Hidden widths: narrow first (fed by one input), then wide and narrow alternately.</summary>
    public int[] Widths() =>
        Enumerable.Range(0, Layers - 1).Select(k => k == 0 ? Math.Min(100, Narrow) : k % 2 == 1 ? Wide : Narrow).ToArray();

    /// <summary>Parameters of the network (weights and biases).</summary>
    public long Parameters()
    {
        long total = 0, previous = 1;
        foreach (int w in Widths().Append(1)) { total += previous * w + w; previous = w; }
        return total;
    }
}

/// <summary>
/// A network of the shape of VNN-COMP's learned-index benchmarks (one input, one output, a deep ReLU MLP with tens of
/// millions of parameters, random He-scaled weights) and a property with one disjunct pair per input box: the
/// output must stay inside a band around the range sampled on that box. Bands are wide enough to hold unless a box is
/// listed as violated, where the band excludes part of the sampled range.
/// </summary>
public static class IndexNetwork
{
    /// <summary>Writes MODEL and SPEC into <paramref name="dir"/> and returns their paths.</summary>
    public static (string Onnx, string Vnnlib) Write(IndexNetworkOptions options, string dir)
    {
        Directory.CreateDirectory(dir);
        using var scope = NewDisposeScope();
        var generator = new Generator().manual_seed(options.Seed);
        var weights = new List<(Tensor W, Tensor B)>();
        int previous = 1;
        foreach (int w in options.Widths().Append(1))
        {
            var weight = torch.randn(w, previous, generator: generator) * Math.Sqrt(2.0 / previous);
            var bias = (torch.rand(w, generator: generator) - 0.5) * (previous == 1 ? 2.0 : 0.1);
            weights.Add((weight, bias));
            previous = w;
        }
        if (options.TrainSteps > 0) IndexTraining.Fit(weights, options.TrainSteps, generator);
        var builder = new OnnxModelBuilder("index");
        string x = builder.Input("X", new long[] { 1, 1 });
        for (int k = 0; k < weights.Count; k++)
        {
            var (w, b) = weights[k];
            x = builder.Node("Gemm", new[] { x, builder.Initializer($"W{k}", w), builder.Initializer($"B{k}", b) }, $"gemm_{k}",
                ("transB", 1L));
            if (k < weights.Count - 1) x = builder.Node("Relu", new[] { x }, $"relu_{k}");
        }
        var output = builder.Node("Identity", new[] { x }, "output");
        builder.Output(output, new long[] { 1, 1 });
        string onnx = Path.Combine(dir, "index.onnx");
        builder.Save(onnx);
        string vnnlib = Path.Combine(dir, $"index_{options.Boxes}.vnnlib");
        File.WriteAllText(vnnlib, Property(weights, options));
        return (onnx, vnnlib);
    }

    /// <summary>The VNNLIB text: per box, the output below the band or above it is unsafe.</summary>
    static string Property(List<(Tensor W, Tensor B)> weights, IndexNetworkOptions options)
    {
        const int samples = 65;
        int n = options.Boxes;
        // Sampled outputs on a grid of every box, including both ends.
        var t = torch.linspace(0, 1, samples, dtype: float64);
        var x = ((torch.arange(n, dtype: float64).unsqueeze(1) + t.unsqueeze(0)) / n).reshape(-1, 1);
        var y = x.to_type(float32);
        for (int k = 0; k < weights.Count; k++)
        {
            using var layer = NewDisposeScope();
            var z = torch.nn.functional.linear(y, weights[k].W, weights[k].B);
            if (k < weights.Count - 1) z = torch.nn.functional.relu(z);
            y = z.MoveToOuterDisposeScope();
        }
        var grid = y.reshape(n, samples).to_type(float64);
        var lo = grid.amin(1).data<double>().ToArray();
        var hi = grid.amax(1).data<double>().ToArray();
        double range = grid.max().item<double>() - grid.min().item<double>();
        var violated = new HashSet<int>(options.Violated ?? Array.Empty<int>());
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine($"; learned-index style property: {n} input boxes of [0, 1], output band per box");
        text.AppendLine("(declare-const X_0 Real)");
        text.AppendLine("(declare-const Y_0 Real)");
        text.AppendLine("(assert (or");
        for (int i = 0; i < n; i++)
        {
            double a = (double)i / n, b = (double)(i + 1) / n;
            double spread = hi[i] - lo[i];
            double margin = 0.5 * spread + 0.01 * range;
            double low = lo[i] - margin, high = violated.Contains(i) ? hi[i] - 0.25 * spread : hi[i] + margin;
            string box = $"(>= X_0 {a.ToString("R", inv)}) (<= X_0 {b.ToString("R", inv)})";
            text.AppendLine($"  (and {box} (<= Y_0 {low.ToString("R", inv)}))");
            text.AppendLine($"  (and {box} (>= Y_0 {high.ToString("R", inv)}))");
        }
        text.AppendLine("))");
        return text.ToString();
    }
}
