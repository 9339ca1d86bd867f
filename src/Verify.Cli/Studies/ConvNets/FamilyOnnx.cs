using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies.ConvNets;

/// <summary>
/// Writes a <see cref="FamilyNet"/> as ONNX (opset 13): input "input" [1, C, H, W], output [1, classes], plain Conv,
/// Relu, Add, BatchNormalization, AveragePool, MaxPool, Flatten and Gemm nodes.
/// </summary>
public static class FamilyOnnx
{
    /// <summary>
    /// Writes the network. With <paramref name="maxPoolAsRelu"/> every 2x2 MaxPool is written as the equal ReLU
    /// network max(a, b) = a + relu(b − a), a = relu(a) − relu(−a) (Flatten, three Gemm and two Relu, then a Reshape
    /// back to the image): the same function, which the exact MIP can encode (it cannot encode MaxPool).
    /// </summary>
    public static void Write(FamilyNet net, string path, bool maxPoolAsRelu = false)
    {
        using var scope = NewDisposeScope();
        var b = new OnnxModelBuilder("conv_study");
        var (c, h, w) = net.Input;
        string x = b.Input("input", new long[] { 1, c, h, w });
        bool flat = false;
        int k = 0;
        string T(string name, Tensor t) => b.Initializer(name, t.detach().to_type(ScalarType.Float32).contiguous());
        foreach (var l in net.Layers)
        {
            string id = $"l{k++}";
            switch (l.Spec)
            {
                case ConvLayerSpec cv:
                    x = Conv(b, x, T($"{id}.w", l.Weight!), T($"{id}.b", l.Bias!), cv.Kernel, cv.Stride, cv.Padding, id);
                    h = (h + 2 * cv.Padding - cv.Kernel) / cv.Stride + 1;
                    w = (w + 2 * cv.Padding - cv.Kernel) / cv.Stride + 1;
                    c = cv.Channels;
                    break;
                case ReluLayerSpec:
                    x = b.Node("Relu", new[] { x }, id);
                    break;
                case BatchNormLayerSpec:
                    x = b.Node("BatchNormalization", new[] { x, T($"{id}.gamma", l.Weight!), T($"{id}.beta", l.Bias!),
                        T($"{id}.mean", l.RunningMean!), T($"{id}.var", l.RunningVar!) }, id, ("epsilon", FamilyNet.BatchNormEpsilon));
                    break;
                case AvgPoolLayerSpec ap:
                    x = b.Node("AveragePool", new[] { x }, id, ("kernel_shape", new long[] { ap.Kernel, ap.Kernel }), ("strides", new long[] { ap.Kernel, ap.Kernel }));
                    h /= ap.Kernel; w /= ap.Kernel;
                    break;
                case MaxPoolLayerSpec mp when maxPoolAsRelu:
                    if (mp.Kernel != 2) throw new ArgumentException("only 2x2 max pooling has a ReLU form here");
                    x = MaxPoolAsRelu(b, x, c, h, w, id, T);
                    h /= 2; w /= 2;
                    break;
                case MaxPoolLayerSpec mp:
                    x = b.Node("MaxPool", new[] { x }, id, ("kernel_shape", new long[] { mp.Kernel, mp.Kernel }), ("strides", new long[] { mp.Kernel, mp.Kernel }));
                    h /= mp.Kernel; w /= mp.Kernel;
                    break;
                case ResidualLayerSpec:
                    var inner = b.Node("Relu", new[] { Conv(b, x, T($"{id}.w1", l.Weight!), T($"{id}.b1", l.Bias!), 3, 1, 1, $"{id}_conv1") }, $"{id}_relu1");
                    var sum = b.Node("Add", new[] { Conv(b, inner, T($"{id}.w2", l.Weight2!), T($"{id}.b2", l.Bias2!), 3, 1, 1, $"{id}_conv2"), x }, $"{id}_add");
                    x = b.Node("Relu", new[] { sum }, $"{id}_relu2");
                    break;
                case DenseLayerSpec:
                    if (!flat) x = b.Node("Flatten", new[] { x }, $"{id}_flatten", ("axis", 1L));
                    flat = true;
                    x = b.Node("Gemm", new[] { x, T($"{id}.w", l.Weight!), T($"{id}.b", l.Bias!) }, id, ("transB", 1L));
                    break;
            }
        }
        var output = b.Node("Identity", new[] { x }, "output");
        b.Output(output, new long[] { 1, net.Layers.Last(l => l.Spec is DenseLayerSpec).Weight!.shape[0] });
        b.Save(path);
    }

    static string Conv(OnnxModelBuilder b, string x, string w, string bias, int kernel, int stride, int pad, string name) =>
        b.Node("Conv", new[] { x, w, bias }, name, ("kernel_shape", new long[] { kernel, kernel }), ("strides", new long[] { stride, stride }),
            ("pads", new long[] { pad, pad, pad, pad }));

    static string MaxPoolAsRelu(OnnxModelBuilder b, string x, int c, int h, int w, string id, Func<string, Tensor, string> t)
    {
        int oh = h / 2, ow = w / 2, m = c * oh * ow, n = c * h * w;
        var g1 = zeros(6 * m, n, dtype: ScalarType.Float64);
        var g2 = zeros(3 * m, 6 * m, dtype: ScalarType.Float64);
        var g3 = zeros(m, 3 * m, dtype: ScalarType.Float64);
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int o = (ch * oh + i) * ow + j;
                    int At(int di, int dj) => (ch * h + 2 * i + di) * w + 2 * j + dj;
                    int a = At(0, 0), bb = At(0, 1), cc = At(1, 0), d = At(1, 1);
                    // r = relu([a, -a, b - a, c, -c, d - c]); m1 = r0 - r1 + r2 = max(a, b), m2 = r3 - r4 + r5 = max(c, d).
                    g1[6 * o, a] = 1; g1[6 * o + 1, a] = -1; g1[6 * o + 2, bb] = 1; g1[6 * o + 2, a] = -1;
                    g1[6 * o + 3, cc] = 1; g1[6 * o + 4, cc] = -1; g1[6 * o + 5, d] = 1; g1[6 * o + 5, cc] = -1;
                    // s = relu([m1, -m1, m2 - m1]); max = s0 - s1 + s2.
                    double[] m1 = { 1, -1, 1, 0, 0, 0 }, m2 = { 0, 0, 0, 1, -1, 1 };
                    for (int q = 0; q < 6; q++)
                    {
                        g2[3 * o, 6 * o + q] = m1[q];
                        g2[3 * o + 1, 6 * o + q] = -m1[q];
                        g2[3 * o + 2, 6 * o + q] = m2[q] - m1[q];
                    }
                    g3[o, 3 * o] = 1; g3[o, 3 * o + 1] = -1; g3[o, 3 * o + 2] = 1;
                }
        string Gemm(string input, Tensor weight, string name) =>
            b.Node("Gemm", new[] { input, t($"{name}.w", weight), t($"{name}.b", zeros(weight.shape[0], dtype: ScalarType.Float64)) }, name, ("transB", 1L));
        var f = b.Node("Flatten", new[] { x }, $"{id}_flatten", ("axis", 1L));
        var r1 = b.Node("Relu", new[] { Gemm(f, g1, $"{id}_g1") }, $"{id}_r1");
        var r2 = b.Node("Relu", new[] { Gemm(r1, g2, $"{id}_g2") }, $"{id}_r2");
        var pooled = Gemm(r2, g3, $"{id}_g3");
        var shape = b.Initializer($"{id}.shape", torch.tensor(new long[] { 1, c, oh, ow }));
        return b.Node("Reshape", new[] { pooled, shape }, $"{id}_reshape");
    }
}
