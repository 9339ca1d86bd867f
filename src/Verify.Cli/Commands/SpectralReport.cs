using System.Globalization;
using TorchSharp;
using Verify.Graph;
using Verify.Import;
using Verify.Training.Certification;
using Verify.Training.Data;
using Verify.Training.Lipschitz;
using Verify.Training.Reports;
using static TorchSharp.torch;

namespace Verify.Cli.Commands;

/// <summary>The l2 certificate of a spectrally constrained run, computed on its exported ONNX file.</summary>
public static class SpectralReport
{
    /// <summary>
    /// Certified l2 accuracy on <paramref name="test"/> at <paramref name="radius"/> with L = the product of the exported
    /// file's spectral norms; writes radius.png into <paramref name="output"/>; returns a one-line summary.
    /// </summary>
    public static string Describe(string onnx, ImageSet test, double radius, string output)
    {
        var graph = OnnxImporter.Load(onnx).To(torch.CPU, ScalarType.Float64);
        var bound = L2Lipschitz.Bound(graph, new L2BoundOptions(L2BoundMethod.Naive));
        var acc = L2Evaluation.Run(Logits(graph), test, bound.Value, radius, pgdSteps: 0);
        RadiusCurve.Save(acc.Radii, radius, string.Format(CultureInfo.InvariantCulture, "certified l2 accuracy, L = {0:G4} (product of spectral norms)", bound.Value),
            Path.Combine(output, "radius.png"));
        return string.Format(CultureInfo.InvariantCulture, "L = {0:G5} ({1} of the file); clean {2:P2}, certified {3:P2} at r {4} ({5} images); radius.png",
            bound.Value, bound.Source, acc.Clean, acc.Certified, radius, acc.Count);
    }

    /// <summary>The logits [n, classes] of images [n, ...] by a graph held in <paramref name="dtype"/>.</summary>
    public static Func<Tensor, Tensor> Logits(ComputationGraph graph, ScalarType dtype = ScalarType.Float64) => x =>
        graph.Forward(x.to(dtype).reshape(ComputationGraph.Batched(x.shape[0], graph.InputShape))).reshape(x.shape[0], -1);
}
