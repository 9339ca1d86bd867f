namespace Verify.SolverHost;

/// <summary>
/// One solve of a minimisation model: columns, row bounds and the objective always, the rows' coefficients only
/// when the solver may not hold this <see cref="ModelKey"/> at this <see cref="StructureVersion"/> yet.
/// </summary>
public sealed class SolveRequest
{
    /// <summary>Identifies the model across solves, so a solver that already holds it only applies the changes.</summary>
    public required long ModelKey { get; init; }
    /// <summary>Changes whenever rows or coefficients change; bounds, integrality and objective may change freely.</summary>
    public required int StructureVersion { get; init; }
    /// <summary>OR-Tools solver id ("SCIP", "GLOP", "PDLP").</summary>
    public required string SolverId { get; init; }
    /// <summary>Column lower bounds.</summary>
    public required double[] ColumnLower { get; init; }
    /// <summary>Column upper bounds.</summary>
    public required double[] ColumnUpper { get; init; }
    /// <summary>Whether each column is integer.</summary>
    public required bool[] ColumnInteger { get; init; }
    /// <summary>Row lower bounds.</summary>
    public required double[] RowLower { get; init; }
    /// <summary>Row upper bounds.</summary>
    public required double[] RowUpper { get; init; }
    /// <summary>Each row's columns, or null when the structure is not sent.</summary>
    public IReadOnlyList<int[]>? RowColumns { get; init; }
    /// <summary>Each row's coefficients (parallel to <see cref="RowColumns"/>), or null when the structure is not sent.</summary>
    public IReadOnlyList<double[]>? RowCoefficients { get; init; }
    /// <summary>Columns with a nonzero objective coefficient.</summary>
    public required int[] ObjectiveColumns { get; init; }
    /// <summary>Their coefficients.</summary>
    public required double[] ObjectiveCoefficients { get; init; }
    /// <summary>The objective's constant.</summary>
    public required double ObjectiveOffset { get; init; }
    /// <summary>Limits and parameters.</summary>
    public required SolveSettings Settings { get; init; }

    /// <summary>Whether the rows' coefficients are included.</summary>
    public bool HasStructure => RowColumns is not null;

    /// <summary>The same request with the rows' coefficients.</summary>
    public SolveRequest WithStructure(IReadOnlyList<int[]> columns, IReadOnlyList<double[]> coefficients) => new()
    {
        ModelKey = ModelKey, StructureVersion = StructureVersion, SolverId = SolverId,
        ColumnLower = ColumnLower, ColumnUpper = ColumnUpper, ColumnInteger = ColumnInteger,
        RowLower = RowLower, RowUpper = RowUpper, RowColumns = columns, RowCoefficients = coefficients,
        ObjectiveColumns = ObjectiveColumns, ObjectiveCoefficients = ObjectiveCoefficients, ObjectiveOffset = ObjectiveOffset,
        Settings = Settings,
    };
}
