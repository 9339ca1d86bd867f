using Google.OrTools.LinearSolver;

namespace Verify.SolverHost;

/// <summary>
/// An OR-Tools model built from a <see cref="SolveRequest"/> with structure and kept between solves: later requests of
/// the same model and structure version change only what differs (bounds, integrality, objective), so GLOP keeps its
/// basis and nothing is rebuilt.
/// </summary>
internal sealed class HostedModel : IDisposable
{
    readonly Solver solver;
    readonly Variable[] variables;
    readonly Constraint[] constraints;
    readonly double[] lower, upper, rowLower, rowUpper;
    readonly bool[] integer;
    readonly HashSet<int> objectiveColumns = new();

    HostedModel(SolveRequest r)
    {
        Key = r.ModelKey;
        Version = r.StructureVersion;
        SolverId = r.SolverId;
        solver = Solver.CreateSolver(r.SolverId) ?? throw new InvalidOperationException($"{r.SolverId} is not available in OR-Tools");
        solver.Objective().SetMinimization();
        lower = r.ColumnLower.ToArray();
        upper = r.ColumnUpper.ToArray();
        integer = r.ColumnInteger.ToArray();
        variables = new Variable[lower.Length];
        for (int j = 0; j < variables.Length; j++) variables[j] = solver.MakeVar(lower[j], upper[j], integer[j], "");
        rowLower = r.RowLower.ToArray();
        rowUpper = r.RowUpper.ToArray();
        constraints = new Constraint[rowLower.Length];
        for (int i = 0; i < constraints.Length; i++)
        {
            var ct = solver.MakeConstraint(rowLower[i], rowUpper[i], "");
            var cols = r.RowColumns![i];
            var coefs = r.RowCoefficients![i];
            if (cols.Length != coefs.Length) throw new InvalidDataException($"row {i}: {cols.Length} columns, {coefs.Length} coefficients");
            for (int k = 0; k < cols.Length; k++) ct.SetCoefficient(variables[cols[k]], coefs[k]);
            constraints[i] = ct;
        }
    }

    /// <summary>The model key it was built for.</summary>
    public long Key { get; }

    /// <summary>The structure version it was built for.</summary>
    public int Version { get; }

    /// <summary>The solver id it was built for.</summary>
    public string SolverId { get; }

    /// <summary>A new model built from a request that carries the structure.</summary>
    public static HostedModel Build(SolveRequest r)
    {
        if (!r.HasStructure) throw new ArgumentException("the request carries no structure");
        return new HostedModel(r);
    }

    /// <summary>Whether this model can serve the request by applying changes.</summary>
    public bool Serves(SolveRequest r) => r.ModelKey == Key && r.StructureVersion == Version && r.SolverId == SolverId
        && r.ColumnLower.Length == variables.Length && r.RowLower.Length == constraints.Length;

    /// <summary>Applies the request's bounds, integrality and objective, solves, and reads the answer.</summary>
    public SolveReply Solve(SolveRequest r, CancellationToken cancel = default)
    {
        Apply(r);
        var s = r.Settings;
        solver.SetTimeLimit(Math.Max(1, s.TimeLimitMs));
        if (s.SpecificParameters.Length > 0 && !solver.SetSolverSpecificParametersAsString(s.SpecificParameters))
            return SolveReply.Fail($"{SolverId} rejected its parameters");
        using var parameters = new MPSolverParameters();
        if (s.RelativeGap is { } gap) parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, gap);
        if (s.PresolveOff)
            parameters.SetIntegerParam(MPSolverParameters.IntegerParam.PRESOLVE, (int)MPSolverParameters.PresolveValues.PRESOLVE_OFF);
        using var registration = cancel.Register(() => solver.InterruptSolve());
        var status = (SolveStatus)(int)solver.Solve(parameters);
        if (cancel.IsCancellationRequested && status is not (SolveStatus.Optimal or SolveStatus.Infeasible)) return SolveReply.NotSolved("cancelled");
        bool point = status is SolveStatus.Optimal or SolveStatus.Feasible;
        var objective = solver.Objective();
        double value = point ? objective.Value() : double.NaN;
        double bound = point ? objective.BestBound() : double.NaN;
        var values = point ? variables.Select(v => v.SolutionValue()).ToArray() : Array.Empty<double>();
        var duals = s.WantDuals && status == SolveStatus.Optimal ? constraints.Select(c => c.DualValue()).ToArray() : Array.Empty<double>();
        return new SolveReply(status, value, bound, values, duals, status == SolveStatus.Abnormal ? $"{SolverId} reported an error" : null);
    }

    void Apply(SolveRequest r)
    {
        for (int j = 0; j < variables.Length; j++)
        {
            if (r.ColumnLower[j] != lower[j] || r.ColumnUpper[j] != upper[j])
            {
                variables[j].SetBounds(r.ColumnLower[j], r.ColumnUpper[j]);
                lower[j] = r.ColumnLower[j];
                upper[j] = r.ColumnUpper[j];
            }
            if (r.ColumnInteger[j] != integer[j])
            {
                variables[j].SetInteger(r.ColumnInteger[j]);
                integer[j] = r.ColumnInteger[j];
            }
        }
        for (int i = 0; i < constraints.Length; i++)
        {
            if (r.RowLower[i] == rowLower[i] && r.RowUpper[i] == rowUpper[i]) continue;
            constraints[i].SetBounds(r.RowLower[i], r.RowUpper[i]);
            rowLower[i] = r.RowLower[i];
            rowUpper[i] = r.RowUpper[i];
        }
        var o = solver.Objective();
        foreach (int j in objectiveColumns) o.SetCoefficient(variables[j], 0);
        objectiveColumns.Clear();
        for (int k = 0; k < r.ObjectiveColumns.Length; k++)
        {
            int j = r.ObjectiveColumns[k];
            o.SetCoefficient(variables[j], r.ObjectiveCoefficients[k]);
            objectiveColumns.Add(j);
        }
        o.SetOffset(r.ObjectiveOffset);
    }

    /// <summary>
    /// Lets go of a solver left in an error state without freeing it: freeing a SCIP that failed inside its solve can
    /// abort the process, so its memory is leaked instead.
    /// </summary>
    public void Abandon() => GC.SuppressFinalize(solver);

    /// <inheritdoc />
    public void Dispose() => solver.Dispose();
}
