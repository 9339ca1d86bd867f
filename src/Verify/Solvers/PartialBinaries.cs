using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// Partial MIP for one refined node: each of its neurons keeps binaries only for the <c>K</c> unstable neurons of the
/// activation just below with the largest |w|·(−l·u/(u−l)) (weight into the neuron times the triangle's intercept, the
/// most the relaxation of that neuron can move it); the others are relaxed to their triangles. Applies to a linear node
/// fed by a ReLU/LeakyReLU node; any other node keeps every binary.
/// </summary>
internal sealed class PartialBinaries
{
    readonly int activation;
    readonly long[][] chosen;

    PartialBinaries(int activation, long[][] chosen)
    {
        this.activation = activation;
        this.chosen = chosen;
    }

    /// <summary>The selection for <paramref name="node"/> (float64 CPU graph) under the given bounds, or null when it does not apply.</summary>
    public static PartialBinaries? For(ComputationGraph graph, int node, IReadOnlyList<IntervalBounds> bounds, int batchIndex, int k)
    {
        var n = graph.Nodes[node];
        if (k <= 0 || n.Op is not Linear linear || n.Inputs.Length != 1) return null;
        var a = graph.Nodes[n.Inputs[0]];
        if (a.Op is not ActivationOperator { PiecewiseLinear: not null }) return null;
        using var scope = torch.NewDisposeScope();
        var l = bounds[a.Inputs[0]].Lower[batchIndex].flatten().to(ScalarType.Float64).cpu();
        var u = bounds[a.Inputs[0]].Upper[batchIndex].flatten().to(ScalarType.Float64).cpu();
        var intercept = Branching.InterceptScore.Intercept(l, u);
        var score = linear.Weight.to(ScalarType.Float64).cpu().abs() * intercept.unsqueeze(0);
        int take = (int)Math.Min(k, score.shape[1]);
        var (values, indices) = score.topk(take, dim: 1);
        var v = values.data<double>().ToArray();
        var ix = indices.data<long>().ToArray();
        var chosen = new long[score.shape[0]][];
        for (int row = 0; row < chosen.Length; row++)
            chosen[row] = Enumerable.Range(row * take, take).Where(i => v[i] > 0).Select(i => ix[i]).ToArray();
        return new PartialBinaries(a.Index, chosen);
    }

    /// <summary>Makes the model's binaries below neuron <paramref name="neuron"/> integer exactly where chosen for it.</summary>
    public void Apply(LinearModel model, NetworkEncoder encoder, int neuron, bool[] integer)
    {
        var columns = encoder.Binaries(activation);
        if (columns is null) return;
        var want = new bool[columns.Length];
        foreach (var j in chosen[neuron]) want[j] = true;
        for (int j = 0; j < columns.Length; j++)
        {
            if (columns[j] < 0 || integer[j] == want[j]) continue;
            model.SetInteger(columns[j], want[j]);
            integer[j] = want[j];
        }
    }

    /// <summary>The per-model state <see cref="Apply"/> keeps: which binaries are integer now (all, as encoded).</summary>
    public bool[] InitialState(NetworkEncoder encoder) =>
        (encoder.Binaries(activation) ?? Array.Empty<int>()).Select(_ => true).ToArray();
}
