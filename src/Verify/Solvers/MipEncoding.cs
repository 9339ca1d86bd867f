using Google.OrTools.LinearSolver;
using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// Exact mixed-integer encoding of a piecewise-linear network (every linear operator through its explicit matrix,
/// ReLU and LeakyReLU by big-M with one binary per unstable neuron, the big-M constants from sound CROWN bounds),
/// solved with SCIP through OR-Tools: the ground truth for small networks.
/// </summary>
public static class MipEncoding
{
    /// <summary>Minimum of c·y + offset over the box (y the flattened output), within a time limit.</summary>
    public static MipResult Minimize(ComputationGraph graph, double[] lower, double[] upper, double[] c, double offset,
        double timeLimitSeconds = 60)
    {
        using var scope = torch.NewDisposeScope();
        var g = graph.To(CPU, ScalarType.Float64);
        var lo = torch.tensor(lower, dtype: ScalarType.Float64).unsqueeze(0);
        var hi = torch.tensor(upper, dtype: ScalarType.Float64).unsqueeze(0);
        var bounds = BoundComputer.Intermediate(g, new IntervalBounds(lo, hi), BoundOptions.Crown);
        using var solver = Solver.CreateSolver("SCIP") ?? throw new InvalidOperationException("SCIP is not available in OR-Tools");
        var vars = new Variable[g.Nodes.Count][];
        vars[0] = Enumerable.Range(0, lower.Length).Select(i => solver.MakeNumVar(lower[i], upper[i], $"x{i}")).ToArray();
        for (int i = 1; i <= g.OutputIndex; i++)
        {
            var n = g.Nodes[i];
            var nl = Loosen(Flat(bounds[i].Lower), -1);
            var nu = Loosen(Flat(bounds[i].Upper), 1);
            vars[i] = n.Op switch
            {
                Relu => EncodePiecewise(solver, vars[n.Inputs[0]], Loosen(Flat(bounds[n.Inputs[0]].Lower), -1),
                    Loosen(Flat(bounds[n.Inputs[0]].Upper), 1), 0, i),
                LeakyRelu leaky => EncodePiecewise(solver, vars[n.Inputs[0]], Loosen(Flat(bounds[n.Inputs[0]].Lower), -1),
                    Loosen(Flat(bounds[n.Inputs[0]].Upper), 1), leaky.Slope, i),
                { NeedsInputBounds: false } => EncodeAffine(solver, n, g, vars, nl, nu),
                _ => throw new VerifyException($"the MIP encoding does not support operator {n.Op.OpType} (node {n.Name})"),
            };
        }
        var objective = solver.Objective();
        var outVars = vars[g.OutputIndex];
        for (int k = 0; k < outVars.Length; k++) objective.SetCoefficient(outVars[k], c[k]);
        objective.SetOffset(offset);
        objective.SetMinimization();
        solver.SetTimeLimit((long)(timeLimitSeconds * 1000));
        var status = solver.Solve();
        bool found = status is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE;
        if (!found) return new MipResult(double.PositiveInfinity, double.NegativeInfinity, false, null);
        var x = vars[0].Select(v => v.SolutionValue()).ToArray();
        return new MipResult(objective.Value(), status == Solver.ResultStatus.OPTIMAL ? objective.Value() : objective.BestBound(),
            status == Solver.ResultStatus.OPTIMAL, x);
    }

    static double[] Flat(Tensor t) => t.reshape(-1).data<double>().ToArray();

    /// <summary>Widens bounds by a hair so floating-point rounding in the bound pass can never cut off feasible points.</summary>
    static double[] Loosen(double[] v, int direction) => v.Select(x => x + direction * 1e-7 * (1 + Math.Abs(x))).ToArray();

    static Variable[] EncodeAffine(Solver s, Node node, ComputationGraph g, Variable[][] vars, double[] lo, double[] hi)
    {
        var shapes = node.Inputs.Select(j => g.Nodes[j].Shape).ToArray();
        var (matrices, offset) = AffineExtraction.Of(node, shapes);
        var result = new Variable[offset.Length];
        for (int o = 0; o < offset.Length; o++)
        {
            var v = s.MakeNumVar(lo[o], hi[o], $"n{node.Index}_{o}");
            var ct = s.MakeConstraint(offset[o], offset[o]);
            ct.SetCoefficient(v, 1);
            for (int k = 0; k < matrices.Length; k++)
            {
                var m = matrices[k];
                var input = vars[node.Inputs[k]];
                for (int j = 0; j < input.Length; j++)
                    if (m[o, j] != 0) ct.SetCoefficient(input[j], ct.GetCoefficient(input[j]) - m[o, j]);
            }
            result[o] = v;
        }
        return result;
    }

    /// <summary>y = max(z, slope·z) for 0 &lt;= slope &lt; 1, exactly: stable neurons as equalities, unstable ones with one binary.</summary>
    static Variable[] EncodePiecewise(Solver s, Variable[] z, double[] l, double[] u, double slope, int node)
    {
        var y = new Variable[z.Length];
        for (int k = 0; k < z.Length; k++)
        {
            if (l[k] >= 0) { y[k] = z[k]; continue; }
            var v = s.MakeNumVar(double.NegativeInfinity, double.PositiveInfinity, $"r{node}_{k}");
            if (u[k] <= 0)
            {
                s.Add(v == slope * z[k]);
                y[k] = v;
                continue;
            }
            var d = s.MakeIntVar(0, 1, $"d{node}_{k}");
            // y >= z, y >= slope·z; d = 1 forces y <= z, d = 0 forces y <= slope·z.
            s.Add(v >= z[k]);
            s.Add(v >= slope * z[k]);
            s.Add(v <= z[k] - (1 - slope) * l[k] * (1 - d));
            s.Add(v <= slope * z[k] + (1 - slope) * u[k] * d);
            y[k] = v;
        }
        return y;
    }
}
