using Verify.Import;
using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Export;

/// <summary>
/// Writes a <see cref="Network"/> in evaluation mode as ONNX (opset 13) with our own writer: Conv, Gemm, Relu,
/// Flatten and BatchNormalization (running statistics); input [N, 1, 28, 28], output [N, classes].
/// </summary>
public static class OnnxExport
{
    /// <summary>Saves the network to <paramref name="path"/>.</summary>
    public static void Save(Network net, string path)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var b = new OnnxModelBuilder(net.GetName());
        string h = b.Input("input", new long[] { 1 }.Concat(net.InputShape).ToArray(), symbolicBatch: "batch");
        foreach (var layer in net.Layers)
        {
            var name = $"layer{layer.Index}";
            h = layer switch
            {
                ConvLayer c => b.Node("Conv", new[] { h, b.Initializer($"{name}.weight", Cpu(c.Weight)), b.Initializer($"{name}.bias", Cpu(c.Bias)) },
                    name: name, ("kernel_shape", new[] { c.Kernel, c.Kernel }), ("strides", new[] { c.Stride, c.Stride }),
                    ("pads", new[] { c.Padding, c.Padding, c.Padding, c.Padding })),
                LinearLayer l => b.Node("Gemm", new[] { h, b.Initializer($"{name}.weight", Cpu(l.Weight)), b.Initializer($"{name}.bias", Cpu(l.Bias)) },
                    name: name, ("transB", 1L)),
                ReluLayer => b.Node("Relu", new[] { h }, name: name),
                FlattenLayer => b.Node("Flatten", new[] { h }, name: name, ("axis", 1L)),
                BatchNormLayer n => b.Node("BatchNormalization", new[]
                    {
                        h, b.Initializer($"{name}.scale", Cpu(n.Module.Gamma)), b.Initializer($"{name}.shift", Cpu(n.Module.Beta)),
                        b.Initializer($"{name}.mean", Cpu(n.Module.RunningMean)), b.Initializer($"{name}.var", Cpu(n.Module.RunningVar)),
                    }, name: name, ("epsilon", n.Epsilon)),
                _ => throw new InvalidOperationException($"cannot export {layer.GetType().Name}"),
            };
        }
        b.Output(h, new long[] { 1, net.Last.Weight.shape[0] }, symbolicBatch: "batch");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        b.Save(path);
    }

    static Tensor Cpu(Tensor t) => t.detach().to(ScalarType.Float32).cpu().clone();
}
