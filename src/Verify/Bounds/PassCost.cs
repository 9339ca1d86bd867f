using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>Multiply-accumulate estimates of bound passes, to choose between methods before running one.</summary>
public static class PassCost
{
    /// <summary>Multiply-accumulates of one forward evaluation of node <paramref name="i"/> for one sample.</summary>
    public static long NodeMacs(ComputationGraph graph, int i)
    {
        var n = graph.Nodes[i];
        return n.Op switch
        {
            Linear l => l.Weight.numel() * (n.Numel / Math.Max(1, l.Weight.shape[0])),
            Conv c => c.Weight.numel() * (n.Numel / Math.Max(1, c.Weight.shape[0])),
            LeftLinear m => m.Weight.numel() * (n.Numel / Math.Max(1, m.Weight.shape[0])),
            _ => n.Numel,
        };
    }

    /// <summary>
    /// Worst case of backward CROWN intermediate bounds per box: every neuron feeding a relaxation is bounded by a
    /// backward pass through everything before it.
    /// </summary>
    public static double CrownIntermediateMacs(ComputationGraph graph)
    {
        double total = 0, prefix = 0;
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            if (graph.Consumers[i].Any(c => graph.Nodes[c].Op.NeedsInputBounds)) total += graph.Nodes[i].Numel * prefix;
            prefix += NodeMacs(graph, i);
        }
        return total;
    }

    /// <summary>
    /// Backward CROWN intermediate bounds counted by the neurons actually re-bounded: for every node whose bounds feed
    /// an inexact relaxation under <paramref name="bounds"/> (see <see cref="BoundComputer.Intermediate"/>), the number
    /// of such neurons per box ([batch, nodes] as float64) and the multiply-accumulates of one backward pass from that
    /// node ([nodes]); their product summed over nodes is the cost per box. Tighter bounds only make fewer neurons inexact,
    /// so counts taken from looser bounds (forward ones) over-estimate the cost of CROWN run after them.
    /// </summary>
    public static (Tensor Counts, Tensor PassMacs) InexactCrownMacs(ComputationGraph graph, IntervalBounds[] bounds)
    {
        long batch = bounds[0].Lower.shape[0];
        var counts = new List<Tensor>();
        var macs = new List<double>();
        var pass = CrownPassMacs(graph);
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            if (pass[i] is not { } m) continue;
            var inexact = BoundComputer.InexactNeurons(graph, i, bounds[i]);
            counts.Add(inexact is null
                ? torch.zeros(batch, dtype: ScalarType.Float64, device: bounds[0].Lower.device)
                : inexact.sum(1).to_type(ScalarType.Float64));
            macs.Add(m);
        }
        var device = bounds[0].Lower.device;
        return counts.Count == 0
            ? (torch.zeros(batch, 0, dtype: ScalarType.Float64, device: device), torch.zeros(0, dtype: ScalarType.Float64, device: device))
            : (torch.stack(counts, 1), torch.tensor(macs.ToArray(), dtype: ScalarType.Float64, device: device));
    }

    /// <summary>
    /// Per node, the multiply-accumulates of one backward CROWN pass from it to the input (the nodes before it), for the
    /// nodes CROWN re-bounds (their bounds feed a relaxation and are not a single affine map of the input); null for the others.
    /// </summary>
    public static double?[] CrownPassMacs(ComputationGraph graph)
    {
        var result = new double?[graph.Nodes.Count];
        double prefix = 0;
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            if (BoundComputer.NeedsRelaxation(graph, i) && graph.Consumers[i].Any(c => graph.Nodes[c].Op.NeedsInputBounds))
                result[i] = prefix;
            prefix += NodeMacs(graph, i);
        }
        return result;
    }

    /// <summary>Forward linear bounds per box: two linear functions of the inputs (and a constant) through every node.</summary>
    public static double ForwardLinearMacs(ComputationGraph graph)
    {
        double total = 0;
        for (int i = 1; i <= graph.OutputIndex; i++) total += NodeMacs(graph, i);
        return 2.0 * (graph.InputSize + 1) * total;
    }

    /// <summary>
    /// Peak bytes per box of the forward linear functions alive at once (a node's are freed after its last consumer),
    /// plus every node's concrete bounds.
    /// </summary>
    public static double ForwardLinearBytes(ComputationGraph graph, int elementBytes)
    {
        double live = 0, peak = 0;
        var last = Enumerable.Range(0, graph.Nodes.Count)
            .Select(j => graph.Consumers[j].Length == 0 ? graph.OutputIndex : graph.Consumers[j].Max()).ToArray();
        live += graph.Nodes[0].Numel;
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            live += graph.Nodes[i].Numel;
            peak = Math.Max(peak, live);
            foreach (int j in graph.Nodes[i].Inputs.Distinct())
                if (last[j] <= i) live -= graph.Nodes[j].Numel;
        }
        double bounds = graph.Nodes.Sum(n => (double)n.Numel);
        return (2.0 * (graph.InputSize + 1) * peak + 2.0 * bounds) * elementBytes;
    }

    /// <summary>Elements autograd keeps per neuron of every node of a pass with gradients (see docs/benchmarks.md).</summary>
    public const double KeptPerNeuron = 40;

    /// <summary>
    /// Estimated peak bytes per specification of one backward pass from node <paramref name="start"/> and one batch
    /// entry: the coefficients on a node, its operator's temporaries and a convolution's column buffer at the widest
    /// node; with <paramref name="withGradients"/> (alpha-CROWN) the coefficients of every node are kept for autograd,
    /// and the alphas with their optimiser state.
    /// </summary>
    public static double BackwardBytesPerSpec(ComputationGraph graph, int start, int elementBytes, bool withGradients)
    {
        var ancestors = graph.AncestorsOf(start);
        double peak = 0, kept = 0;
        for (int i = 0; i <= start; i++)
        {
            if (!ancestors[i]) continue;
            var n = graph.Nodes[i];
            double inputs = n.Inputs.Sum(j => (double)graph.Nodes[j].Numel);
            double columns = n.Op is Conv c && n.Inputs.Length == 1
                ? (double)c.Weight.shape[1] * c.Groups * c.Weight.shape[2] * c.Weight.shape[3] * (n.Numel / Math.Max(1, c.Weight.shape[0]))
                : 0;
            peak = Math.Max(peak, 8.0 * n.Numel + 2 * inputs + columns);
            // Autograd's saved coefficients and relaxation terms (40 elements per neuron: measured on CIFAR-shaped
            // conv and residual nets, where resident memory grew by 3–5 MB per domain of a branch-and-bound step, about
            // 3–4 times an earlier count of 10); an activation's alphas with their gradient and Adam's two moments.
            kept += KeptPerNeuron * n.Numel + (n.Op is ActivationOperator ? 6.0 * graph.Nodes[n.Inputs[0]].Numel : 0);
        }
        return (peak + (withGradients ? kept : 0)) * elementBytes;
    }

    /// <summary>
    /// Specifications per backward pass from node <paramref name="start"/> with <paramref name="entries"/> batch
    /// entries so that the pass stays within about <paramref name="maxBytes"/>: at least 1, at most
    /// <paramref name="maxSpecs"/>.
    /// </summary>
    public static int SpecsPerPass(ComputationGraph graph, int start, long entries, int elementBytes, bool withGradients,
        long maxBytes, int maxSpecs)
    {
        double perSpec = BackwardBytesPerSpec(graph, start, elementBytes, withGradients) * Math.Max(1, entries);
        return (int)Math.Clamp(Math.Floor(maxBytes / Math.Max(1, perSpec)), 1, Math.Max(1, maxSpecs));
    }

    /// <summary>
    /// Branch-and-bound domains per batched step so that the step's final bound pass (<paramref name="specsPerDomain"/>
    /// specifications per domain from the output) stays within about <paramref name="maxBytes"/>: at least 1, at most
    /// <paramref name="maxDomains"/>.
    /// </summary>
    public static int DomainsPerStep(ComputationGraph graph, long specsPerDomain, int elementBytes, bool withGradients,
        long maxBytes, int maxDomains)
        => SpecsPerPass(graph, graph.OutputIndex, specsPerDomain, elementBytes, withGradients, maxBytes, maxDomains);
}
