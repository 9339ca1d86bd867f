using Verify.SolverHost;

namespace Verify.Solvers;

/// <summary>
/// An LP or MIP (columns, rows, objective, always minimised) held on our side, by column index, and solved by OR-Tools
/// in a solver worker process (<see cref="SolverPool"/>), so that a native fault of the solver costs one answer and
/// not the process. The solution and duals of the last solve are kept, so that a sound bound can be recomputed from
/// the duals (<see cref="LagrangianBound"/>).
/// </summary>
internal sealed class LinearModel : IDisposable
{
    static long nextKey;

    readonly List<double> columnLower = new();
    readonly List<double> columnUpper = new();
    readonly List<bool> columnInteger = new();
    readonly List<Row> rows = new();
    readonly Dictionary<int, double> objective = new();
    readonly long key = Interlocked.Increment(ref nextKey);
    readonly SolverPool pool;
    HostedModel? local;
    int version;

    /// <summary>A new empty model for the OR-Tools solver <paramref name="solverId"/> ("GLOP", "PDLP", "SCIP").</summary>
    public LinearModel(string solverId, SolverIsolation? isolation = null, SolverPool? pool = null)
    {
        SolverId = solverId;
        Isolation = isolation ?? SolverPool.DefaultIsolation;
        this.pool = pool ?? SolverPool.Shared;
    }

    /// <summary>The OR-Tools solver id.</summary>
    public string SolverId { get; }

    /// <summary>Where this model's solves run.</summary>
    public SolverIsolation Isolation { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => columnLower.Count;

    /// <summary>Number of rows.</summary>
    public int RowCount => rows.Count;

    /// <summary>The objective offset.</summary>
    public double ObjectiveOffset { get; private set; }

    /// <summary>The outcome of the last solve (a failure before any).</summary>
    public SolveReply Last { get; private set; } = SolveReply.Fail("not solved yet");

    /// <summary>Adds a column with the given bounds (integer for MIP binaries) and returns its index.</summary>
    public int AddColumn(double lower, double upper, bool integer = false)
    {
        columnLower.Add(lower);
        columnUpper.Add(upper);
        columnInteger.Add(integer);
        version++;
        return columnLower.Count - 1;
    }

    /// <summary>Makes a column integer or continuous (a binary relaxed to [0, 1]).</summary>
    public void SetInteger(int column, bool integer) => columnInteger[column] = integer;

    /// <summary>Changes a column's bounds.</summary>
    public void SetColumnBounds(int column, double lower, double upper)
    {
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
        {
            if ((uint)columns[k] >= (uint)ColumnCount) throw new ArgumentOutOfRangeException(nameof(columns), $"column {columns[k]} does not exist");
            merged[columns[k]] = merged.GetValueOrDefault(columns[k]) + coefficients[k];
        }
        var nonzero = merged.Where(e => e.Value != 0).ToArray();
        rows.Add(new Row(nonzero.Select(e => e.Key).ToArray(), nonzero.Select(e => e.Value).ToArray(), lower, upper));
        version++;
    }

    /// <summary>Changes a row's bounds (an infinite side leaves that side free).</summary>
    public void SetRowBounds(int row, double lower, double upper)
    {
        if (rows[row].Lower == lower && rows[row].Upper == upper) return;
        rows[row] = rows[row] with { Lower = lower, Upper = upper };
    }

    /// <summary>Changes the coefficient of a column the row was created with (it stays part of the row, zero or not).</summary>
    public void SetCoefficient(int row, int column, double value)
    {
        var r = rows[row];
        int k = Array.IndexOf(r.Columns, column);
        if (k < 0) throw new ArgumentException($"column {column} is not part of row {row}");
        if (r.Coefficients[k] == value) return;
        r.Coefficients[k] = value;
        version++;
    }

    /// <summary>Replaces the objective by Σ coefficients[k]·x[columns[k]] + offset (duplicate columns add up), minimised.</summary>
    public void SetObjective(IReadOnlyList<int> columns, IReadOnlyList<double> coefficients, double offset)
    {
        objective.Clear();
        for (int k = 0; k < columns.Count; k++)
            objective[columns[k]] = objective.GetValueOrDefault(columns[k]) + coefficients[k];
        ObjectiveOffset = offset;
    }

    /// <summary>The objective coefficients by column.</summary>
    public IReadOnlyDictionary<int, double> Objective => objective;

    /// <summary>The rows in creation order.</summary>
    public IReadOnlyList<Row> Rows => rows;

    /// <summary>
    /// Solves the model. Every failure of the solver (an error inside it, a dead or hung worker, a cancelled solve)
    /// comes back as a status that carries no information: <see cref="SolveStatus.Abnormal"/>,
    /// <see cref="SolveStatus.Failed"/> or <see cref="SolveStatus.NotSolved"/>.
    /// </summary>
    public SolveReply Solve(SolveSettings settings, CancellationToken cancel = default)
    {
        var request = Request(settings, structure: false);
        Last = Isolation == SolverIsolation.InProcess ? SolveHere(request, cancel)
            : pool.Solve(request, () => Request(settings, structure: true), cancel);
        if (Last.HasPoint && Last.Values.Length != ColumnCount) Last = SolveReply.Fail("the solver's point has the wrong length");
        return Last;
    }

    SolveReply SolveHere(SolveRequest request, CancellationToken cancel)
    {
        try
        {
            if (local is null || !local.Serves(request))
            {
                local?.Dispose();
                local = HostedModel.Build(Request(request.Settings, structure: true));
            }
            var reply = local.Solve(request, cancel);
            if (reply.Status == SolveStatus.Abnormal)
            {
                // A solver in an error state may abort when it is freed or reused: drop it without freeing it.
                local.Abandon();
                local = null;
            }
            return reply;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidDataException)
        {
            return SolveReply.Fail(e.Message);
        }
    }

    SolveRequest Request(SolveSettings settings, bool structure)
    {
        var obj = objective.Where(e => e.Value != 0).ToArray();
        return new SolveRequest
        {
            ModelKey = key, StructureVersion = version, SolverId = SolverId,
            ColumnLower = columnLower.ToArray(), ColumnUpper = columnUpper.ToArray(), ColumnInteger = columnInteger.ToArray(),
            RowLower = rows.Select(r => r.Lower).ToArray(), RowUpper = rows.Select(r => r.Upper).ToArray(),
            RowColumns = structure ? rows.Select(r => r.Columns).ToArray() : null,
            RowCoefficients = structure ? rows.Select(r => r.Coefficients).ToArray() : null,
            ObjectiveColumns = obj.Select(e => e.Key).ToArray(), ObjectiveCoefficients = obj.Select(e => e.Value).ToArray(),
            ObjectiveOffset = ObjectiveOffset, Settings = settings,
        };
    }

    /// <summary>The dual value of row r after the last solve (0 when the solve gave none).</summary>
    public double DualValue(int row) => row < Last.Duals.Length ? Last.Duals[row] : 0;

    /// <summary>A column's value in the last solution.</summary>
    public double Value(int column) => Last.Values[column];

    /// <inheritdoc />
    public void Dispose() => local?.Dispose();

    /// <summary>One row: lower &lt;= Σ Coefficients[k]·x[Columns[k]] &lt;= Upper.</summary>
    public sealed record Row(int[] Columns, double[] Coefficients, double Lower, double Upper);
}
