using Verify.Graph;
using Verify.Import;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Support;

/// <summary>Writes a fully connected graph (Linear and ReLU nodes, as <see cref="RandomNetworks.Mlp"/> builds) as an ONNX file.</summary>
public static class OnnxMlp
{
    /// <summary>
    /// Saves <paramref name="g"/> as Gemm (transB = 1, float32 weights) and Relu nodes on input [1, n] and returns the
    /// path; import the file to get the network exactly as ONNX Runtime sees it.
    /// </summary>
    public static string Write(ComputationGraph g, string path)
    {
        var b = new OnnxModelBuilder(Path.GetFileNameWithoutExtension(path));
        var h = b.Input("x", new long[] { 1, g.InputSize });
        foreach (var n in g.Nodes.Skip(1))
        {
            h = n.Op switch
            {
                Linear l => b.Node("Gemm", l.Bias is null
                        ? new[] { h, b.Initializer($"{n.Name}_w", l.Weight.to_type(ScalarType.Float32)) }
                        : new[] { h, b.Initializer($"{n.Name}_w", l.Weight.to_type(ScalarType.Float32)), b.Initializer($"{n.Name}_b", l.Bias.to_type(ScalarType.Float32)) },
                    n.Name, ("transB", 1L)),
                Relu => b.Node("Relu", new[] { h }, n.Name),
                Sigmoid => b.Node("Sigmoid", new[] { h }, n.Name),
                Tanh => b.Node("Tanh", new[] { h }, n.Name),
                LeakyRelu leaky => b.Node("LeakyRelu", new[] { h }, n.Name, ("alpha", (float)leaky.Slope)),
                _ => throw new ArgumentException($"OnnxMlp writes Linear, Relu, LeakyRelu, Sigmoid and Tanh nodes only, not {n.Op.OpType}"),
            };
        }
        b.Output(h, new long[] { 1, g.OutputSize });
        b.Save(path);
        return path;
    }
}
