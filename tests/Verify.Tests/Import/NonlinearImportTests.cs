using NUnit.Framework;
using Verify.Import;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Import;

/// <summary>ONNX Sigmoid, Tanh and MaxPool (explicit asymmetric pads and auto_pad) import with ONNX Runtime's semantics.</summary>
public class NonlinearImportTests
{
    [Test]
    public void SigmoidTanhMaxPoolModelMatchesOnnxRuntime()
    {
        using var scope = torch.NewDisposeScope();
        var dir = Directory.CreateTempSubdirectory("verify-nonlinear-");
        try
        {
            var path = Path.Combine(dir.FullName, "model.onnx");
            WriteModel(path);
            var graph = OnnxImporter.Load(path);
            Assert.That(graph.Nodes.Select(n => n.Op.OpType), Does.Contain("Sigmoid").And.Contain("Tanh").And.Contain("MaxPool"));
            using var runner = new OnnxRuntimeRunner(path);
            var gen = new Generator(7);
            for (int i = 0; i < 20; i++)
            {
                var x = torch.randn(new long[] { 49 }, generator: gen) * 2;
                var ours = graph.Forward(x.unsqueeze(0)).reshape(-1).to_type(ScalarType.Float64).data<double>().ToArray();
                var theirs = runner.Run(x.to_type(ScalarType.Float64).data<double>().ToArray());
                Assert.That(ours, Is.EqualTo(theirs).Within(1e-5), $"input {i}");
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    /// <summary>
    /// x [1,1,7,7] → Conv (pads 0,1,1,0) → Sigmoid → MaxPool 3×3 stride 2 pads [1,0,0,1] → Tanh →
    /// MaxPool 2×2 stride 1 SAME_UPPER → Flatten → Gemm → [1,2].
    /// </summary>
    static void WriteModel(string path)
    {
        var gen = new Generator(3);
        Tensor R(params long[] shape) => torch.randn(shape, generator: gen);
        var b = new OnnxModelBuilder("nonlinear");
        var x = b.Input("x", new long[] { 1, 1, 7, 7 });
        var h = b.Node("Conv", new[] { x, b.Initializer("w1", R(3, 1, 3, 3)), b.Initializer("b1", R(3)) }, "conv", ("pads", new long[] { 0, 1, 1, 0 }));
        h = b.Node("Sigmoid", new[] { h }, "sigmoid");
        h = b.Node("MaxPool", new[] { h }, "pool1", ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 0, 0, 1 }));
        h = b.Node("Tanh", new[] { h }, "tanh");
        h = b.Node("MaxPool", new[] { h }, "pool2", ("kernel_shape", new long[] { 2, 2 }), ("auto_pad", "SAME_UPPER"));
        h = b.Node("Flatten", new[] { h }, "flat", ("axis", 1L));
        h = b.Node("Gemm", new[] { h, b.Initializer("w2", R(27, 2)), b.Initializer("b2", R(2)) }, "fc");
        b.Output(h, new long[] { 1, 2 });
        b.Save(path);
    }
}
