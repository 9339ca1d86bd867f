using Google.OrTools.LinearSolver;
using Verify.Bounds;
using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Solvers;

/// <summary>
/// Exact mixed-integer encoding of a ReLU network (big-M with one binary per unstable ReLU, the big-M constants from
/// sound CROWN bounds), solved with SCIP through OR-Tools: the ground truth for small networks.
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
                Linear lin => EncodeLinear(solver, lin, vars[n.Inputs[0]], nl, nu, i),
                Relu => EncodeRelu(solver, vars[n.Inputs[0]], Loosen(Flat(bounds[n.Inputs[0]].Lower), -1),
                    Loosen(Flat(bounds[n.Inputs[0]].Upper), 1), nl, nu, i),
                _ when n.Op.OpType is "Reshape" or "Flatten" or "Identity" => vars[n.Inputs[0]],
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

    static Variable[] EncodeLinear(Solver s, Linear lin, Variable[] input, double[] lo, double[] hi, int node)
    {
        var w = lin.Weight.to(ScalarType.Float64);
        int outF = (int)w.shape[0], inF = (int)w.shape[1];
        var wd = w.reshape(-1).data<double>().ToArray();
        var bd = lin.Bias is null ? new double[outF] : lin.Bias.to(ScalarType.Float64).reshape(-1).data<double>().ToArray();
        int rows = input.Length / inF;
        var result = new Variable[rows * outF];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                int k = r * outF + o;
                var v = s.MakeNumVar(lo[k], hi[k], $"n{node}_{k}");
                var ct = s.MakeConstraint(bd[o], bd[o]);
                ct.SetCoefficient(v, 1);
                for (int j = 0; j < inF; j++)
                    if (wd[o * inF + j] != 0) ct.SetCoefficient(input[r * inF + j], -wd[o * inF + j]);
                result[k] = v;
            }
        return result;
    }

    static Variable[] EncodeRelu(Solver s, Variable[] z, double[] l, double[] u, double[] lo, double[] hi, int node)
    {
        var y = new Variable[z.Length];
        for (int k = 0; k < z.Length; k++)
        {
            if (l[k] >= 0) { y[k] = z[k]; continue; }
            if (u[k] <= 0) { y[k] = s.MakeNumVar(0, 0, $"r{node}_{k}"); continue; }
            var v = s.MakeNumVar(0, Math.Max(0, hi[k]), $"r{node}_{k}");
            var d = s.MakeIntVar(0, 1, $"d{node}_{k}");
            s.Add(v >= z[k]);
            s.Add(v <= u[k] * d);
            s.Add(v <= z[k] - l[k] * (1 - d));
            y[k] = v;
        }
        return y;
    }
}
