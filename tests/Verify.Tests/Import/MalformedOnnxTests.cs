using System.Diagnostics;
using Google.Protobuf;
using Verify.Import;
using Verify.Import.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Import;

/// <summary>
/// Regressions found by parser fuzzing: malformed ONNX models (cycles, long chains, missing inputs, sizes that do not
/// fit) are user errors naming what is wrong, found before anything large is allocated; none hangs or crashes.
/// </summary>
public class MalformedOnnxTests
{
    /// <summary>A 4-3 Gemm + Relu network on input x [1, 4].</summary>
    static OnnxModelBuilder Small(out string hidden)
    {
        var b = new OnnxModelBuilder("small");
        var x = b.Input("x", new long[] { 1, 4 });
        hidden = b.Node("Gemm", new[] { x, b.Initializer("w", torch.ones(3, 4)), b.Initializer("b", torch.zeros(3)) }, "fc", ("transB", 1L));
        return b;
    }

    static ModelProto Finish(OnnxModelBuilder b, string output, long width = 3)
    {
        b.Output(output, new long[] { 1, width });
        return b.Model;
    }

    static string ImportError(ModelProto model)
    {
        // Through the bytes, as a file would come in.
        var e = Assert.Throws<VerifyException>(() => OnnxImporter.Import(OnnxModelReader.Parse(model.ToByteArray(), "m.onnx"), "m.onnx"));
        return e!.Message;
    }

    [Test]
    public void HundredThousandNodeChainImportsInLinearTime()
    {
        var b = Small(out var h);
        for (int k = 0; k < 100_000; k++) h = b.Node(k % 2 == 0 ? "Relu" : "Identity", new[] { h }, $"n{k}");
        var model = Finish(b, h);
        // Reversed in the file: the old ordering took one pass over the pending nodes per node (10^10 steps).
        var nodes = model.Graph.Node.Reverse().ToList();
        model.Graph.Node.Clear();
        model.Graph.Node.AddRange(nodes);
        var clock = Stopwatch.StartNew();
        var graph = OnnxImporter.Import(model, "m.onnx");
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(30));
        Assert.That(graph.Nodes, Has.Count.EqualTo(2 + 50_000));
    }

    [Test]
    public void CyclesAreUserErrorsNamingTheirNodes()
    {
        var b = Small(out var h);
        var r = b.Node("Relu", new[] { "later_out" }, "early");
        b.Node("Add", new[] { r, h }, "later");   // writes later_out
        var message = ImportError(Finish(b, h));
        Assert.That(message, Does.Contain("cycle").And.Contain("'early' (Relu)").And.Contain("'later' (Add)"));
    }

    [Test]
    public void ANodeReadingItsOwnOutputIsACycle()
    {
        var b = Small(out var h);
        var model = Finish(b, h);
        model.Graph.Node[0].Input[0] = model.Graph.Node[0].Output[0];
        Assert.That(ImportError(model), Does.Contain("cycle").And.Contain("'fc' (Gemm)"));
    }

    [Test]
    public void UndefinedValuesNameTheNodeAndTheValue()
    {
        var b = Small(out var h);
        h = b.Node("Relu", new[] { "nowhere" }, "relu");
        Assert.That(ImportError(Finish(b, h)), Does.Contain("node 'relu' (Relu) uses undefined value 'nowhere'"));
    }

    [Test]
    public void AValueWrittenByTwoNodesIsRejected()
    {
        var b = Small(out var h);
        var r = b.Node("Relu", new[] { h }, "relu");
        var model = Finish(b, r);
        model.Graph.Node[1].Output[0] = h;
        Assert.That(ImportError(model), Does.Contain($"'{h}' is written by two nodes, 'fc' (Gemm) and 'relu' (Relu)"));
    }

    [Test]
    public void ANodeOverwritingTheGraphInputIsRejected()
    {
        var b = Small(out var h);
        var model = Finish(b, b.Node("Relu", new[] { h }, "relu"));
        model.Graph.Node[1].Output[0] = "x";
        Assert.That(ImportError(model), Does.Contain("node 'relu' (Relu) writes 'x', which is a graph input or initializer"));
    }

    [Test]
    public void DuplicateInitializersAreRejected()
    {
        var b = Small(out var h);
        b.Initializer("w", torch.ones(1));
        Assert.That(ImportError(Finish(b, h)), Does.Contain("the initializer 'w' is defined twice"));
    }

    [TestCase("Add", 1)]
    [TestCase("Gemm", 1)]
    [TestCase("Relu", 0)]
    [TestCase("BatchNormalization", 3)]
    [TestCase("Slice", 2)]
    public void NodesWithTooFewInputsAreUserErrors(string op, int inputs)
    {
        var b = Small(out var h);
        var n = b.Node(op, Enumerable.Repeat(h, inputs).ToArray(), "bad");
        Assert.That(ImportError(Finish(b, n)), Does.Contain($"node 'bad' ({op}) has {inputs} input(s), expected"));
    }

    [Test]
    public void AnOmittedRequiredInputIsAUserError()
    {
        var b = Small(out var h);
        var n = b.Node("Add", new[] { h, "" }, "bad");
        Assert.That(ImportError(Finish(b, n)), Does.Contain("node 'bad' (Add) omits its required input 1"));
    }

    [Test]
    public void AHugeDeclaredTensorWithLittleDataIsRejectedBeforeAllocating()
    {
        var b = Small(out var h);
        var model = Finish(b, h);
        var w = model.Graph.Initializer.First(t => t.Name == "w");
        w.Dims.Clear();
        w.Dims.AddRange(new[] { 50_000_000L, 1L });   // 200 MB of float32, 48 bytes stored
        long before = GC.GetTotalAllocatedBytes();
        Assert.That(ImportError(model), Does.Contain("tensor 'w' of shape [50000000,1] needs 50000000 values but holds 12"));
        Assert.That(GC.GetTotalAllocatedBytes() - before, Is.LessThan(50_000_000));
    }

    [TestCase(-1)]
    [TestCase(3)]
    [TestCase(4)]
    public void RawDataOfTheWrongLengthIsRejected(int extraBytes)
    {
        var b = Small(out var h);
        var model = Finish(b, h);
        var w = model.Graph.Initializer.First(t => t.Name == "w");
        var raw = w.RawData.ToByteArray();
        w.RawData = ByteString.CopyFrom(raw.Concat(new byte[Math.Max(0, extraBytes)]).Take(raw.Length + extraBytes).ToArray());
        Assert.That(ImportError(model), Does.Contain("tensor 'w' of shape [3,4] needs 12 values"));
    }

    [TestCase(new[] { -3L, -4L }, "negative dimension")]
    [TestCase(new[] { 4294967296L, 4294967296L }, "more elements than int64 can count")]
    [TestCase(new[] { long.MaxValue, 2L }, "more elements than int64 can count")]
    public void TensorDimsThatAreNegativeOrOverflowAreRejected(long[] dims, string expected)
    {
        var b = Small(out var h);
        var model = Finish(b, h);
        var w = model.Graph.Initializer.First(t => t.Name == "w");
        w.Dims.Clear();
        w.Dims.AddRange(dims);
        Assert.That(ImportError(model), Does.Contain("tensor 'w'").And.Contain(expected));
    }

    [TestCase(new[] { 1L, 1L << 40 }, "more than the 2147483647 supported")]
    [TestCase(new[] { 1L << 32, 1L << 32 }, "more elements than int64 can count")]
    public void InputShapesThatAreTooLargeOrOverflowAreRejected(long[] dims, string expected)
    {
        var b = new OnnxModelBuilder("m");
        var x = b.Input("x", dims);
        var model = Finish(b, b.Node("Relu", new[] { x }, "relu"), dims[1]);
        Assert.That(ImportError(model), Does.Contain("input 'x'").And.Contain(expected));
    }

    [TestCase(new[] { 1L << 28 })]
    [TestCase(new[] { 100_000L, 100_000L })]
    [TestCase(new[] { -5L })]
    public void FoldedConstantsAreCheckedBeforeAllocating(long[] shape)
    {
        var b = Small(out var h);
        b.Node("ConstantOfShape", new[] { b.Initializer("shape", torch.tensor(shape)) }, "fill");
        long before = GC.GetTotalAllocatedBytes();
        Assert.That(ImportError(Finish(b, h)), Does.StartWith("node 'fill' (ConstantOfShape): "));
        Assert.That(GC.GetTotalAllocatedBytes() - before, Is.LessThan(50_000_000));
    }

    [Test]
    public void BatchNormalizationParametersOfTheWrongLengthAreAUserError()
    {
        var b = new OnnxModelBuilder("bn");
        var x = b.Input("x", new long[] { 1, 2, 3, 3 });
        var n = b.Node("BatchNormalization", new[] { x, b.Initializer("g", torch.ones(2)), b.Initializer("s", torch.zeros(2)),
            b.Initializer("m", torch.zeros(3)), b.Initializer("v", torch.ones(2)) }, "bn");
        b.Output(n, new long[] { 1, 2, 3, 3 });
        Assert.That(ImportError(b.Model), Does.Contain("node 'bn' (BatchNormalization): input 3 has shape [3], expected [2]"));
    }

    [TestCase("group", 0L, "group 0 does not divide")]
    [TestCase("strides", new[] { 0L, 1L }, "strides [0,1] must be 2 positive sizes")]
    [TestCase("strides", new[] { 1L }, "strides [1] must be 2 positive sizes")]
    [TestCase("pads", new[] { 1L, 1L }, "pads [1,1] must be four non-negative sizes")]
    [TestCase("auto_pad", "SAME_MIDDLE", "auto_pad 'SAME_MIDDLE'")]
    public void ConvAttributesOutOfRangeAreUserErrors(string name, object value, string expected)
    {
        var b = new OnnxModelBuilder("conv");
        var x = b.Input("x", new long[] { 1, 1, 5, 5 });
        var n = b.Node("Conv", new[] { x, b.Initializer("w", torch.ones(2, 1, 3, 3)) }, "conv", (name, value));
        b.Output(n, new long[] { 1, 2, 3, 3 });
        Assert.That(ImportError(b.Model), Does.Contain("node 'conv' (Conv): " + expected));
    }

    [TestCase("MaxPool", "strides", new[] { 0L, 0L })]
    [TestCase("AveragePool", "strides", new[] { 0L, 0L })]
    [TestCase("AveragePool", "kernel_shape", new[] { 0L, 2L })]
    [TestCase("AveragePool", "pads", new[] { 2L, 2L, 2L, 2L })]
    public void PoolingAttributesOutOfRangeAreUserErrors(string op, string name, long[] value)
    {
        var b = new OnnxModelBuilder("pool");
        var x = b.Input("x", new long[] { 1, 1, 4, 4 });
        var attributes = new List<(string, object)> { (name, value) };
        if (name != "kernel_shape") attributes.Add(("kernel_shape", new long[] { 2, 2 }));
        var n = b.Node(op, new[] { x }, "pool", attributes.ToArray());
        b.Output(n, new long[] { 1, 1, 2, 2 });
        Assert.That(ImportError(b.Model), Does.StartWith($"node 'pool' ({op}): "));
    }

    [TestCase(new[] { 0L, 5L })]
    [TestCase(new[] { 0L, 0L })]
    [TestCase(new[] { 1L, 0L, 2L })]
    public void TransposeWithoutAPermutationIsAUserError(long[] perm)
    {
        var b = Small(out var h);
        var n = b.Node("Transpose", new[] { h }, "t", ("perm", perm));
        Assert.That(ImportError(Finish(b, n)), Does.Contain("node 't' (Transpose)"));
    }

    [Test]
    public void UnsqueezeWithARepeatedAxisIsAUserError()
    {
        var b = Small(out var h);
        var n = b.Node("Unsqueeze", new[] { h, b.Initializer("axes", torch.tensor(new[] { 0L, 0L })) }, "u");
        Assert.That(ImportError(Finish(b, n)), Does.Contain("node 'u' (Unsqueeze)").And.Contain("repeat an axis"));
    }

    [Test]
    public void PadsPastTheValueSizeLimitAreAUserError()
    {
        var b = Small(out var h);
        var n = b.Node("Pad", new[] { h, b.Initializer("pads", torch.tensor(new[] { 0L, long.MaxValue, 0L, long.MaxValue })) }, "pad");
        Assert.That(ImportError(Finish(b, n)), Does.Contain("node 'pad' (Pad)"));
    }

    [Test]
    public void GemmBiasOfShapeOneByNImports()
    {
        // ONNX broadcasts C to [M, N]; a [1, N] bias used to fail inside the tensor library.
        var b = new OnnxModelBuilder("gemm");
        var x = b.Input("x", new long[] { 1, 4 });
        var n = b.Node("Gemm", new[] { x, b.Initializer("w", torch.ones(3, 4)), b.Initializer("c", torch.tensor(new[] { 1f, 2f, 3f }).reshape(1, 3)) }, "fc", ("transB", 1L));
        var graph = OnnxImporter.Import(Finish(b, n), "m.onnx");
        var y = graph.Forward(torch.zeros(1, 1, 4));
        Assert.That(y.data<float>().ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
    }

    [Test]
    public void AGemmBiasThatDoesNotBroadcastIsAUserError()
    {
        var b = new OnnxModelBuilder("gemm");
        var x = b.Input("x", new long[] { 1, 4 });
        var n = b.Node("Gemm", new[] { x, b.Initializer("w", torch.ones(3, 4)), b.Initializer("c", torch.ones(2)) }, "fc", ("transB", 1L));
        Assert.That(ImportError(Finish(b, n)), Does.Contain("node 'fc' (Gemm): Gemm bias of shape [2] does not broadcast to 3 outputs"));
    }

    [Test]
    public void EveryUnsupportedOperatorIsListedAtOnceByNodeName()
    {
        var b = Small(out var h);
        var s = b.Node("Softmax", new[] { h }, "soft");
        var l = b.Node("LSTM", new[] { s }, "lstm_a");
        var l2 = b.Node("LSTM", new[] { l }, "lstm_b");
        Assert.That(ImportError(Finish(b, l2)), Does.Contain("unsupported operators: Softmax (nodes: soft); LSTM (nodes: lstm_a, lstm_b)"));
    }

    [Test]
    public void AConverterFailureInsideTheTensorLibraryBecomesAUserErrorNamingTheNode()
    {
        // A MatMul by a constant of the wrong width is caught by shape inference; a Gather out of range inside the
        // tensor library is wrapped, with the cause kept.
        var b = Small(out var h);
        b.Node("Gather", new[] { b.Initializer("table", torch.ones(2, 2)), b.Initializer("i", torch.tensor(new[] { 7L })) }, "gather");
        var e = Assert.Throws<VerifyException>(() => OnnxImporter.Import(Finish(b, h), "m.onnx"));
        Assert.That(e!.Message, Does.StartWith("node 'gather' (Gather): cannot evaluate on its constant inputs"));
        Assert.That(e.InnerException, Is.Not.Null);
    }
}
