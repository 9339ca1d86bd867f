using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;
using Atom = Verify.Tests.Support.VnnlibText.Atom;

namespace Verify.Tests.Support;

/// <summary>
/// A random 20-128-128-128-2 ReLU network (ReLU splitting: more than 16 inputs) with Y_0 - Y_1 &lt;= d over a box of
/// radius 0.5, d placed 0.3 sampled ranges below the sampled minimum: hundreds of unstable ReLUs and a root bound far
/// below d, so no check decides it in the first seconds (the shutdown tests stop it long before its 300 s limit).
/// </summary>
public static class HardInstance
{
    /// <summary>Writes hard.onnx and hard.vnnlib into <paramref name="dir"/> and returns their paths.</summary>
    public static (string Onnx, string Vnnlib) Write(string dir)
    {
        using var scope = torch.NewDisposeScope();
        const int inputs = 20;
        var onnx = OnnxMlp.Write(RandomNetworks.Mlp(new[] { inputs, 128, 128, 128, 2 }, 91, weightScale: 1.6), Path.Combine(dir, "hard.onnx"));
        var graph = OnnxImporter.Load(onnx).To(CPU, ScalarType.Float64);
        var box = RandomNetworks.Box(1, inputs, 0.5, 92);
        var ys = graph.Forward(RandomNetworks.Samples(box, 20000, 93)[0].reshape(20000, 1, inputs)).reshape(20000, 2);
        var margin = ys[.., 0] - ys[.., 1];
        double min = margin.min().item<double>(), range = margin.max().item<double>() - min;
        double[] Floats(Tensor t) => t.reshape(-1).data<double>().Select(v => (double)(float)v).ToArray();
        var text = VnnlibText.Of(Floats(box.Lower), Floats(box.Upper), 2, new[] { new[] { new Atom(0, 1, false, min - 0.3 * range) } });
        var vnnlib = Path.Combine(dir, "hard.vnnlib");
        File.WriteAllText(vnnlib, text);
        return (onnx, vnnlib);
    }
}
