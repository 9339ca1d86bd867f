using Verify.Import;
using Verify.Import.Proto;
using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Export;

/// <summary>
/// Writes an <see cref="LbdnNetwork"/> as plain ONNX (opset 13): Flatten, then Gemm + Relu per sandwich layer and a
/// final Gemm. Each sandwich layer's output map √2 AᵀΨ is fused (in float64) with the next layer's input map, the
/// input scale √γ into the first Gemm and the output √γ W_out into the last, so any ONNX tool reads the result.
/// </summary>
public static class LbdnExport
{
    /// <summary>The fused affine layers (weight [out, in], bias [out]) in float64 on the CPU; ReLU between them.</summary>
    public static IReadOnlyList<(Tensor Weight, Tensor Bias)> FusedLayers(LbdnNetwork net)
    {
        using var noGrad = torch.no_grad();
        double s = Math.Sqrt(net.Gamma);
        var layers = new List<(Tensor, Tensor)>();
        Tensor? carry = null; // the previous sandwich layer's output map
        foreach (var sandwich in net.Sandwiches)
        {
            var (input, bias, output) = sandwich.Explicit();
            var w = F64(input);
            w = carry is null ? s * w : w.matmul(carry);
            layers.Add((w, F64(bias)));
            carry = F64(output);
        }
        var last = s * F64(net.Output.Weight()).matmul(carry!);
        layers.Add((last, F64(net.Output.Bias)));
        return layers;
    }

    /// <summary>Saves the network to <paramref name="path"/> (input [N, ...InputShape], output [N, classes]).</summary>
    public static void Save(LbdnNetwork net, string path)
    {
        using var scope = torch.NewDisposeScope();
        var b = new OnnxModelBuilder(net.GetName());
        string h = b.Input("input", new long[] { 1 }.Concat(net.InputShape).ToArray(), symbolicBatch: "batch");
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
    /// The LipSDP-Neuron multipliers that certify γ for the fused layers, one per hidden neuron in order: T_k = γ Ψ_k²
    /// (the sandwich proof summed over the layers, see <see cref="SandwichLayer"/>).
    /// </summary>
    public static double[] Multipliers(LbdnNetwork net)
    {
        using var noGrad = torch.no_grad();
        return net.Sandwiches.SelectMany(s => (net.Gamma * (2 * F64(s.LogPsi)).exp()).data<double>().ToArray()).ToArray();
    }

    static Tensor F64(Tensor t) => t.detach().to(ScalarType.Float64).cpu();

    static Tensor F32(Tensor t) => t.to(ScalarType.Float32).contiguous().clone();
}
