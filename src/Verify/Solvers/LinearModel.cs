using Google.OrTools.LinearSolver;

namespace Verify.Solvers;

/// <summary>
/// An OR-Tools model (LP or MIP) whose columns, rows and objective are also kept on our side, by column index, so
/// that a sound bound can be recomputed from the solver's dual values (<see cref="LagrangianBound"/>). The objective
/// is always minimised.
/// </summary>
internal sealed class LinearModel : IDisposable
{
    readonly List<Variable> variables = new();
    readonly List<double> columnLower = new();
    readonly List<double> columnUpper = new();
    readonly List<Constraint> constraints = new();
    readonly List<Row> rows = new();
    readonly Dictionary<int, double> objective = new();

    /// <summary>Wraps a new OR-Tools solver of the given id ("GLOP", "PDLP", "SCIP").</summary>
    public LinearModel(string solverId)
    {
        Solver = Solver.CreateSolver(solverId) ?? throw new InvalidOperationException($"{solverId} is not available in OR-Tools");
        Solver.Objective().SetMinimization();
    }

    /// <summary>The underlying solver (for solving, limits and parameters; build the model through this class).</summary>
    public Solver Solver { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => variables.Count;

    /// <summary>Number of rows.</summary>
    public int RowCount => rows.Count;

    /// <summary>The objective offset.</summary>
    public double ObjectiveOffset { get; private set; }

    /// <summary>Adds a column with the given bounds (integer for MIP binaries) and returns its index.</summary>
    public int AddColumn(double lower, double upper, bool integer = false)
    {
        variables.Add(Solver.MakeVar(lower, upper, integer, ""));
        columnLower.Add(lower);
        columnUpper.Add(upper);
        return variables.Count - 1;
    }

    /// <summary>Makes a column integer or continuous (a binary relaxed to [0, 1]).</summary>
    public void SetInteger(int column, bool integer) => variables[column].SetInteger(integer);

    /// <summary>Changes a column's bounds.</summary>
    public void SetColumnBounds(int column, double lower, double upper)
    {
        if (columnLower[column] == lower && columnUpper[column] == upper) return;
        variables[column].SetBounds(lower, upper);
        columnLower[column] = lower;
        columnUpper[column] = upper;
    }

    /// <summary>Lower bound of a column.</summary>
    public double ColumnLower(int column) => columnLower[column];

    /// <summary>Upper bound of a column.</summary>
    public double ColumnUpper(int column) => columnUpper[column];

    /// <summary>Adds the row lower &lt;= Σ coefficients[k]·x[columns[k]] &lt;= upper (repeated columns add up, zeros are skipped).</summary>
    public void AddRow(double lower, double upper, IReadOnlyList<int> columns, IReadOnlyList<double> coefficients)
    {
        var merged = new Dictionary<int, double>(columns.Count);
        for (int k = 0; k < columns.Count; k++)
            merged[columns[k]] = merged.GetValueOrDefault(columns[k]) + coefficients[k];
        var ct = Solver.MakeConstraint(lower, upper, "");
        var cols = new List<int>(merged.Count);
        var coefs = new List<double>(merged.Count);
        foreach (var (j, a) in merged)
        {
            if (a == 0) continue;
            ct.SetCoefficient(variables[j], a);
            cols.Add(j);
            coefs.Add(a);
        }
        constraints.Add(ct);
        rows.Add(new Row(cols.ToArray(), coefs.ToArray(), lower, upper));
    }

    /// <summary>Changes a row's bounds (an infinite side leaves that side free).</summary>
    public void SetRowBounds(int row, double lower, double upper)
    {
        if (rows[row].Lower == lower && rows[row].Upper == upper) return;
        constraints[row].SetBounds(lower, upper);
        rows[row] = rows[row] with { Lower = lower, Upper = upper };
    }

    /// <summary>Changes the coefficient of a column the row was created with (it stays part of the row, zero or not).</summary>
    public void SetCoefficient(int row, int column, double value)
    {
        var r = rows[row];
        int k = Array.IndexOf(r.Columns, column);
        if (k < 0) throw new ArgumentException($"column {column} is not part of row {row}");
        if (r.Coefficients[k] == value) return;
        constraints[row].SetCoefficient(variables[column], value);
        r.Coefficients[k] = value;
    }

    /// <summary>Replaces the objective by Σ coefficients[k]·x[columns[k]] + offset (duplicate columns add up), minimised.</summary>
    public void SetObjective(IReadOnlyList<int> columns, IReadOnlyList<double> coefficients, double offset)
    {
        var o = Solver.Objective();
        foreach (var j in objective.Keys) o.SetCoefficient(variables[j], 0);
        objective.Clear();
        for (int k = 0; k < columns.Count; k++)
            objective[columns[k]] = objective.GetValueOrDefault(columns[k]) + coefficients[k];
        foreach (var (j, c) in objective) o.SetCoefficient(variables[j], c);
        o.SetOffset(offset);
        ObjectiveOffset = offset;
    }

    /// <summary>The objective coefficients by column.</summary>
    public IReadOnlyDictionary<int, double> Objective => objective;

    /// <summary>The rows in creation order (row r is the solver's constraint r).</summary>
    public IReadOnlyList<Row> Rows => rows;

    /// <summary>The solver's dual value of row r after a solve.</summary>
    public double DualValue(int row) => constraints[row].DualValue();

    /// <summary>A column's value in the last solution.</summary>
    public double Value(int column) => variables[column].SolutionValue();

    /// <inheritdoc />
    public void Dispose() => Solver.Dispose();

    /// <summary>One row: lower &lt;= Σ Coefficients[k]·x[Columns[k]] &lt;= Upper.</summary>
    public sealed record Row(int[] Columns, double[] Coefficients, double Lower, double Upper);
}
