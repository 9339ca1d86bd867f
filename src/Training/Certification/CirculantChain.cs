using Verify.Graph;
using Verify.Lipschitz;
using Verify.Operators;
using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Certification;

/// <summary>
/// An imported chain that starts with circular convolutions: (Pad wrap → Conv → Relu)+, then one Pad wrap → Conv
/// without Relu (the output map the certificate splits at), then a dense ReLU chain. Each convolution's
/// per-frequency blocks are computed from the file's own Conv weights and pads (<see cref="Circulant.BlocksOfConv"/>),
/// after checking that the Pad/Conv pair is exactly a circular convolution (stride 1, no dilation or groups, wrap pads
/// that add up to the kernel size minus one).
/// </summary>
/// <param name="Convolutions">Full-spectrum blocks [h, w, out, in] (complex128) of the ReLU convolutions, in order.</param>
/// <param name="Output">Blocks of the last convolution (no ReLU after it).</param>
/// <param name="Dense">The rest of the network, from the last convolution's output, densified.</param>
public sealed record CirculantChain(IReadOnlyList<Tensor> Convolutions, Tensor Output, DenseNetwork Dense)
{
    /// <summary>Whether <paramref name="graph"/> starts with a wrap Pad (so this form is the only one that can bound it).</summary>
    public static bool StartsCircular(ComputationGraph graph) => graph.Nodes.Count > 1 && graph.Nodes[1].Op is Pad { Wrap: true };

    /// <summary>Reads the chain from a float64 graph; a <see cref="VerifyException"/> names the first node that does not fit.</summary>
    public static CirculantChain From(ComputationGraph graph)
    {
        var convs = new List<Tensor>();
        int i = 1;
        while (true)
        {
            var blocks = CircularConv(graph, i);
            bool relu = i + 2 <= graph.OutputIndex && graph.Nodes[i + 2].Op is Relu && Chained(graph, i + 2);
            if (!relu)
            {
                if (convs.Count == 0) throw new VerifyException($"node '{graph.Nodes[i + 1].Name}': a circular LBDN needs a Relu after its first convolution");
                return new CirculantChain(convs, blocks, DenseNetwork.FromGraph(Rest(graph, i + 1)));
            }
            convs.Add(blocks);
            i += 3;
            if (i > graph.OutputIndex) throw new VerifyException("the circular convolutions must end with a convolution without Relu");
        }
    }

    /// <summary>Channels of the input and of every ReLU convolution's output.</summary>
    public long[] Channels => new[] { Convolutions[0].shape[3] }.Concat(Convolutions.Select(c => c.shape[2])).ToArray();

    static bool Chained(ComputationGraph graph, int i) => graph.Nodes[i].Inputs.Length == 1 && graph.Nodes[i].Inputs[0] == i - 1;

    static Tensor CircularConv(ComputationGraph graph, int i)
    {
        if (i + 1 > graph.OutputIndex || graph.Nodes[i].Op is not Pad { Wrap: true } pad || !Chained(graph, i) || !Chained(graph, i + 1)
            || graph.Nodes[i + 1].Op is not Conv conv)
            throw new VerifyException($"node '{graph.Nodes[Math.Min(i, graph.OutputIndex)].Name}': expected a wrap Pad followed by a Conv");
        var shape = graph.Nodes[i - 1].Shape; // [1, C, H, W]
        var name = graph.Nodes[i + 1].Name;
        if (shape.Length != 4 || pad.Pads.Length != 8) throw new VerifyException($"node '{name}': circular convolutions need [N, C, H, W] inputs");
        long kh = conv.Weight.shape[2], kw = conv.Weight.shape[3];
        var p = pad.Pads;
        bool fits = p[0] == 0 && p[1] == 0 && p[4] == 0 && p[5] == 0 && p[2] + p[6] == kh - 1 && p[3] + p[7] == kw - 1
            && kh <= shape[2] && kw <= shape[3];
        bool plain = conv.Strides.All(s => s == 1) && conv.Dilations.All(d => d == 1) && conv.Groups == 1 && conv.Pads.All(q => q == 0);
        if (!fits || !plain)
            throw new VerifyException($"node '{name}': not a circular convolution (needs stride 1, no dilation, groups or Conv pads, and wrap pads adding up to the kernel size minus one)");
        return Circulant.BlocksOfConv(conv.Weight, p[2], p[3], shape[2], shape[3]);
    }

    /// <summary>The nodes after <paramref name="last"/> as a graph whose input is that node's output.</summary>
    static ComputationGraph Rest(ComputationGraph graph, int last)
    {
        var nodes = new List<Node> { new(0, "split", new InputOp(graph.Nodes[last].Shape), Array.Empty<int>(), graph.Nodes[last].Shape) };
        for (int j = last + 1; j <= graph.OutputIndex; j++)
        {
            var n = graph.Nodes[j];
            if (n.Inputs.Any(k => k < last)) throw new VerifyException($"node '{n.Name}': only chain-shaped networks are supported");
            nodes.Add(n with { Index = j - last, Inputs = n.Inputs.Select(k => k - last).ToArray() });
        }
        return new ComputationGraph(nodes, nodes.Count - 1, "split", graph.OutputName);
    }
}
