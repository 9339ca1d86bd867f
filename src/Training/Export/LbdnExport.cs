using Verify.Import;
using Verify.Import.Proto;
using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Export;

/// <summary>
/// Writes an <see cref="LbdnNetwork"/> as plain ONNX: Flatten, then Gemm + Relu per sandwich layer and a final Gemm
/// (opset 13). Each sandwich layer's output map √2 AᵀΨ is fused (in float64) with the next layer's input map, the
/// input scale √γ into the first Gemm and the output √γ W_out into the last, so any ONNX tool reads the result.
/// Convolutional sandwich layers come first (opset 19) as Pad (mode wrap) + Conv with the full n×n kernel of the
/// fused circulant map, then Relu; the last one's output map is its own Pad + Conv (no Relu) before the Flatten, so
/// the file keeps the boundary that the per-frequency certificate check splits at.
/// </summary>
public static class LbdnExport
{
    /// <summary>The fused affine layers (weight [out, in], bias [out]) in float64 on the CPU; ReLU between them.</summary>
    public static IReadOnlyList<(Tensor Weight, Tensor Bias)> FusedLayers(LbdnNetwork net)
    {
        using var noGrad = torch.no_grad();
        double s = Math.Sqrt(net.Gamma);
        double first = net.Convolutions.Count > 0 ? 1 : s; // after convolutions, √γ is already in the first Conv
        var layers = new List<(Tensor, Tensor)>();
        Tensor? carry = null; // the previous sandwich layer's output map
        foreach (var sandwich in net.Sandwiches)
        {
            var (input, bias, output) = sandwich.Explicit();
            var w = F64(input);
            w = carry is null ? first * w : w.matmul(carry);
            layers.Add((w, F64(bias)));
            carry = F64(output);
        }
        var wOut = F64(net.Output.Weight());
        var last = s * (carry is null ? first * wOut : wOut.matmul(carry));
        layers.Add((last, F64(net.Output.Bias)));
        return layers;
    }

    /// <summary>Saves the network to <paramref name="path"/> (input [N, ...InputShape], output [N, classes]).</summary>
    public static void Save(LbdnNetwork net, string path)
    {
        using var scope = torch.NewDisposeScope();
        var b = new OnnxModelBuilder(net.GetName());
        string h = b.Input("input", new long[] { 1 }.Concat(net.InputShape).ToArray(), symbolicBatch: "batch");
        if (net.Convolutions.Count > 0)
        {
            b.Model.IrVersion = 9; // Pad mode wrap is opset 19
            b.Model.OpsetImport[0].Version = 19;
            var convs = ConvLayers(net);
            for (int k = 0; k < convs.Count; k++)
            {
                var (kernel, bias) = convs[k];
                long n = kernel.shape[^1];
                var name = $"conv{k}";
                h = b.Node("Pad", new[] { h, b.Initializer($"{name}.pads", torch.tensor(new long[] { 0, 0, 0, 0, 0, 0, n - 1, n - 1 })) },
                    name: $"{name}.wrap", ("mode", "wrap"));
                var inputs = new List<string> { h, b.Initializer($"{name}.weight", F32(Circulant.OnnxWeight(kernel))) };
                if (bias is not null) inputs.Add(b.Initializer($"{name}.bias", F32(bias)));
                h = b.Node("Conv", inputs.ToArray(), name: name);
                if (bias is not null) h = b.Node("Relu", new[] { h }, name: $"{name}.relu");
            }
        }
        h = b.Node("Flatten", new[] { h }, name: "flatten", ("axis", 1L));
        var layers = FusedLayers(net);
        for (int k = 0; k < layers.Count; k++)
        {
            var (w, bias) = layers[k];
            var name = $"layer{k}";
            h = b.Node("Gemm", new[] { h, b.Initializer($"{name}.weight", F32(w)), b.Initializer($"{name}.bias", F32(bias)) },
                name: name, ("transB", 1L));
            if (k < layers.Count - 1) h = b.Node("Relu", new[] { h }, name: $"relu{k}");
        }
        b.Output(h, new long[] { 1, net.Classes }, symbolicBatch: "batch");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        b.Model.MetadataProps.Add(new StringStringEntryProto { Key = LbdnMetadata.GammaKey, Value = net.Gamma.ToString("R", inv) });
        b.Model.MetadataProps.Add(new StringStringEntryProto
        {
            Key = LbdnMetadata.MultipliersKey,
            Value = string.Join(",", Multipliers(net).Select(v => v.ToString("R", inv))),
        });
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        b.Save(path);
    }

    /// <summary>
    /// The circulant convolutions in float64 on the CPU, as kernels m [out, in, n, n] (y = m ⊛ x) with their bias: one
    /// per convolutional sandwich layer (its input map fused with the previous one's output map, √γ in the first; ReLU
    /// after it), then the last one's output map √2 AᵀΨ without bias (no ReLU). Empty without convolutions.
    /// </summary>
    public static IReadOnlyList<(Tensor Kernel, Tensor? Bias)> ConvLayers(LbdnNetwork net)
    {
        using var noGrad = torch.no_grad();
        var layers = new List<(Tensor, Tensor?)>();
        Tensor? carry = null;
        foreach (var conv in net.Convolutions)
        {
            var (input, bias, output) = conv.Explicit();
            var blocks = carry is null ? Math.Sqrt(net.Gamma) * input : input.matmul(carry);
            layers.Add((Circulant.Kernel(blocks, conv.Size), bias));
            carry = output;
        }
        if (carry is not null) layers.Add((Circulant.Kernel(carry, net.Convolutions[^1].Size), null));
        return layers;
    }

    /// <summary>
    /// The LipSDP-Neuron multipliers that certify γ, in order: for a fully connected LBDN T_k = γ Ψ_k² per hidden neuron
    /// (the sandwich proof summed over the layers, see <see cref="SandwichLayer"/>); with convolutions first Ψ_k² per
    /// channel of each convolutional layer (certifying √γ up to the last one's output map), then γ Ψ_k² per neuron of
    /// the fully connected layers (certifying √γ from there).
    /// </summary>
    public static double[] Multipliers(LbdnNetwork net)
    {
        using var noGrad = torch.no_grad();
        var conv = net.Convolutions.SelectMany(c => (2 * F64(c.LogPsi)).exp().data<double>().ToArray());
        return conv.Concat(net.Sandwiches.SelectMany(s => (net.Gamma * (2 * F64(s.LogPsi)).exp()).data<double>().ToArray())).ToArray();
    }

    static Tensor F64(Tensor t) => t.detach().to(ScalarType.Float64).cpu();

    static Tensor F32(Tensor t) => t.to(ScalarType.Float32).contiguous().clone();
}
