using Verify.Bounds;
using Verify.Graph;
using Verify.Import;
using Verify.Training.Bounds;
using Verify.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MakeExamples;

/// <summary>Robustness properties of a trained model around test images the engine's IBP certifies.</summary>
public static class CertifiedProperties
{
    /// <summary>Writes MODEL_robust_K.vnnlib for the first <paramref name="count"/> IBP-certified test images.</summary>
    public static void Write(string modelPath, double eps, int count, string mnistDir, string outDir,
        Action<string, float[], int, double, int> write)
    {
        var graph = OnnxImporter.Load(modelPath).To(torch.CPU, ScalarType.Float64);
        var (x, y, n) = MnistIdx.Load(mnistDir, train: false);
        var name = Path.GetFileNameWithoutExtension(modelPath);
        int written = 0;
        for (int i = 0; i < n && written < count; i++)
        {
            using var scope = torch.NewDisposeScope();
            var image = x.AsSpan(i * 784, 784).ToArray();
            var t = torch.tensor(image, dtype: ScalarType.Float64).reshape(ComputationGraph.Batched(1, graph.InputShape));
            var label = torch.tensor(new long[] { y[i] });
            var (lo, hi) = PixelBall.Of(t, eps);
            var c = MarginSpec.Matrix(label, 10).to(ScalarType.Float64);
            var lower = BoundComputer.SpecLower(graph, BoundComputer.Intermediate(graph, new IntervalBounds(lo, hi), BoundOptions.Ibp),
                c, torch.zeros(1, 10, dtype: ScalarType.Float64), BoundMethod.Ibp);
            if (!MarginSpec.Certified(lower, label).item<bool>()) continue;
            var path = Path.Combine(outDir, $"{name}_robust_{written}.vnnlib");
            write(path, image, y[i], eps, i);
            Console.WriteLine($"wrote {path} (test image {i}, label {y[i]})");
            written++;
        }
    }
}
