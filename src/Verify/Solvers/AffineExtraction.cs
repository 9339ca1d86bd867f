using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// The explicit matrices of a linear operator (any operator without a nonlinear relaxation): y = Σ_k M_k·x_k + c,
/// read off by running its forward rule on basis vectors. Used to encode networks in LP/MIP solvers.
/// </summary>
public static class AffineExtraction
{
    /// <summary>Per-input matrices [outputs, inputs_k] and the offset [outputs], in float64 on the CPU.</summary>
    public static (double[][,] Matrices, double[] Offset) Of(Node node, IReadOnlyList<long[]> inputShapes)
    {
        if (node.Op.NeedsInputBounds) throw new ArgumentException($"{node.Op.OpType} is not linear");
        using var scope = torch.NewDisposeScope();
        var zeros = inputShapes.Select(s => torch.zeros(ComputationGraph.Batched(1, s), dtype: ScalarType.Float64)).ToArray();
        var offset = node.Op.Forward(zeros).reshape(-1).data<double>().ToArray();
        var matrices = new double[inputShapes.Count][,];
        for (int k = 0; k < inputShapes.Count; k++)
        {
            long n = inputShapes[k].Aggregate(1L, (a, b) => a * b);
            var args = inputShapes.Select((s, j) => j == k
                ? torch.eye(n, dtype: ScalarType.Float64).reshape(ComputationGraph.Batched(n, s))
                : torch.zeros(ComputationGraph.Batched(n, s), dtype: ScalarType.Float64)).ToArray();
            var cols = node.Op.Forward(args).reshape(n, -1).data<double>().ToArray();
            int m = offset.Length;
            var mat = new double[m, n];
            for (int i = 0; i < n; i++)
                for (int o = 0; o < m; o++) mat[o, i] = cols[i * m + o] - offset[o];
            matrices[k] = mat;
        }
        return (matrices, offset);
    }
}
