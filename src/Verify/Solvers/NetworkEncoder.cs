using Verify.Graph;
using Verify.Operators;

namespace Verify.Solvers;

/// <summary>
/// Builds the columns of a network's nodes in a <see cref="LinearModel"/>, node by node: the input box, every linear
/// operator exactly through its explicit matrix (<see cref="AffineExtraction"/>), ReLU and LeakyReLU exactly where
/// stable and by the given <see cref="IActivationEncoding"/> where unstable. Node bounds (one batch entry of
/// sound intermediate bounds) become column bounds and activation constants, widened by a relative slack; they can
/// be tightened between nodes (<see cref="Tighten"/>), which later activations then use.
/// </summary>
internal sealed class NetworkEncoder
{
    readonly LinearModel model;
    readonly ComputationGraph graph;
    readonly IActivationEncoding activation;
    readonly Func<Node, IActivationEncoding>? activationOf;
    readonly double slack;
    readonly double[][] lower;
    readonly double[][] upper;
    readonly int[][] columns;
    readonly int[]?[] binaries;
    int encoded;

    /// <summary>
    /// Starts an encoding of <paramref name="graph"/> (float64 on the CPU) over the input box, with node bounds
    /// taken from batch entry <paramref name="batchIndex"/> of <paramref name="bounds"/>. <paramref name="activationOf"/>,
    /// when given, chooses the encoding per activation node (otherwise <paramref name="activation"/> for all).
    /// </summary>
    public NetworkEncoder(LinearModel model, ComputationGraph graph, double[] inputLower, double[] inputUpper,
        IReadOnlyList<IntervalBounds> bounds, int batchIndex, IActivationEncoding activation, double slack,
        Func<Node, IActivationEncoding>? activationOf = null)
    {
        if (inputLower.Length != graph.InputSize || inputUpper.Length != graph.InputSize)
            throw new ArgumentException($"the box has {inputLower.Length} inputs, the network {graph.InputSize}");
        this.model = model;
        this.graph = graph;
        this.activation = activation;
        this.activationOf = activationOf;
        this.slack = slack;
        (lower, upper) = NodeBoundArrays.From(bounds, batchIndex, graph.OutputIndex);
        lower[0] = inputLower.ToArray();
        upper[0] = inputUpper.ToArray();
        columns = new int[graph.OutputIndex + 1][];
        binaries = new int[]?[graph.OutputIndex + 1];
        columns[0] = Enumerable.Range(0, inputLower.Length).Select(i => model.AddColumn(inputLower[i], inputUpper[i])).ToArray();
    }

    /// <summary>Whether every operator of the graph can be encoded (linear operators and two-piece linear activations).</summary>
    public static bool Supports(ComputationGraph graph) =>
        graph.Nodes.All(n => n.Op is ActivationOperator { PiecewiseLinear: not null } or MaxPool || !n.Op.NeedsInputBounds);

    /// <summary>The columns of a node's (flattened) value, encoding the nodes up to it first if needed.</summary>
    public int[] Columns(int node)
    {
        EncodeThrough(node);
        return columns[node];
    }

    /// <summary>
    /// The binary column of each neuron of an encoded activation node (-1 where the neuron is stable or relaxed); null
    /// for other nodes.
    /// </summary>
    public int[]? Binaries(int node) => binaries[node];

    /// <summary>
    /// How neuron <paramref name="k"/> of an encoded activation node is encoded: +1 exactly active (y = z), −1 exactly
    /// inactive, 0 unstable (by the activation encoding, with a binary where <see cref="Binaries"/> has one).
    /// </summary>
    public int Phase(int node, int k)
    {
        int input = graph.Nodes[node].Inputs[0];
        if (NodeBoundArrays.Loosen(lower[input][k], -1, slack) >= 0) return 1;
        return NodeBoundArrays.Loosen(upper[input][k], 1, slack) <= 0 ? -1 : 0;
    }

    /// <summary>Current lower bound of element k of a node (before slack).</summary>
    public double Lower(int node, int k) => lower[node][k];

    /// <summary>Current upper bound of element k of a node (before slack).</summary>
    public double Upper(int node, int k) => upper[node][k];

    /// <summary>Current bounds of a node, flattened (before slack).</summary>
    public (double[] Lower, double[] Upper) Bounds(int node) => (lower[node], upper[node]);

    /// <summary>Encodes every node up to and including <paramref name="node"/>.</summary>
    public void EncodeThrough(int node)
    {
        if (node > graph.OutputIndex) throw new ArgumentOutOfRangeException(nameof(node));
        for (; encoded < node; encoded++)
        {
            var n = graph.Nodes[encoded + 1];
            columns[n.Index] = n.Op switch
            {
                ActivationOperator { PiecewiseLinear: { } hinge } => EncodeActivation(n, hinge.NegativeSlope),
                MaxPool pool => EncodeMaxPool(n, pool),
                { NeedsInputBounds: false } => EncodeAffine(n),
                _ => throw new VerifyException($"the solver encoding does not support operator {n.Op.OpType} (node {n.Name})"),
            };
        }
    }

    /// <summary>
    /// Intersects element k of a node with the sound interval [lo, hi]; later activations use the new bounds.
    /// Column bounds of an already encoded node change only through <see cref="ApplyColumnBounds"/>.
    /// </summary>
    public void Tighten(int node, int k, double lo, double hi)
    {
        lower[node][k] = Math.Max(lower[node][k], lo);
        upper[node][k] = Math.Min(upper[node][k], hi);
    }

    /// <summary>Narrows the columns of an encoded node to its current (loosened) bounds.</summary>
    public void ApplyColumnBounds(int node)
    {
        var cols = Columns(node);
        for (int k = 0; k < cols.Length; k++)
        {
            int c = cols[k];
            double lo = Math.Max(model.ColumnLower(c), NodeBoundArrays.Loosen(lower[node][k], -1, slack));
            double hi = Math.Min(model.ColumnUpper(c), NodeBoundArrays.Loosen(upper[node][k], 1, slack));
            if (lo > model.ColumnLower(c) || hi < model.ColumnUpper(c)) model.SetColumnBounds(c, lo, Math.Max(lo, hi));
        }
    }

    int[] EncodeAffine(Node node)
    {
        var (matrices, offset) = AffineExtraction.Of(node, node.Inputs.Select(j => graph.Nodes[j].Shape).ToArray());
        var result = new int[offset.Length];
        var row = new Dictionary<int, double>();
        // An element read only by ReLU-shaped hinges (0 below 0) that are off on its whole range is never used: it gets
        // a column but no row.
        bool onlyFeedsReLUs = node.Index != graph.OutputIndex
            && graph.Consumers[node.Index].All(c => graph.Nodes[c].Op is ActivationOperator { PiecewiseLinear.NegativeSlope: 0 });
        for (int o = 0; o < offset.Length; o++)
        {
            double lo = NodeBoundArrays.Loosen(lower[node.Index][o], -1, slack);
            double hi = NodeBoundArrays.Loosen(upper[node.Index][o], 1, slack);
            if (onlyFeedsReLUs && hi <= 0)
            {
                result[o] = model.AddColumn(lo, hi);
                continue;
            }
            row.Clear();
            // SCIP crashes (SIGSEGV) on NaN coefficients: a network with non-finite parameters is a user error.
            if (!double.IsFinite(offset[o])) throw NonFinite(node);
            for (int k = 0; k < matrices.Length; k++)
            {
                var m = matrices[k];
                var input = columns[node.Inputs[k]];
                for (int j = 0; j < input.Length; j++)
                {
                    if (!double.IsFinite(m[o, j])) throw NonFinite(node);
                    if (m[o, j] != 0) row[input[j]] = row.GetValueOrDefault(input[j]) - m[o, j];
                }
            }
            // A plain copy (reshape, transpose, padding-free selection) reuses its source column.
            if (offset[o] == 0 && row.Count == 1 && row.Values.Single() == -1)
            {
                result[o] = row.Keys.Single();
                continue;
            }
            int v = model.AddColumn(lo, hi);
            row[v] = 1;
            model.AddRow(offset[o], offset[o], row.Keys.ToArray(), row.Values.ToArray());
            result[o] = v;
        }
        return result;
    }

    static VerifyException NonFinite(Node node) =>
        new($"node {node.Name} ({node.Op.OpType}) has a NaN or infinite parameter: the solver cannot encode it");

    int[] EncodeActivation(Node node, double slope)
    {
        int input = node.Inputs[0];
        var z = columns[input];
        var y = new int[z.Length];
        var d = Enumerable.Repeat(-1, z.Length).ToArray();
        binaries[node.Index] = d;
        var encoding = activationOf?.Invoke(node) ?? activation;
        for (int k = 0; k < z.Length; k++)
        {
            double l = NodeBoundArrays.Loosen(lower[input][k], -1, slack);
            double u = NodeBoundArrays.Loosen(upper[input][k], 1, slack);
            if (l >= 0) y[k] = z[k];
            else if (u <= 0) y[k] = Inactive(z[k], l, u, slope);
            else (y[k], d[k]) = encoding.EncodeUnstable(model, z[k], l, u, slope);
        }
        return y;
    }

    /// <summary>Every window of a max pool (<see cref="MaxPoolEncoding"/>): exact where the node's encoding is.</summary>
    int[] EncodeMaxPool(Node node, MaxPool pool)
    {
        int input = node.Inputs[0];
        var x = columns[input];
        bool exact = (activationOf?.Invoke(node) ?? activation).Exact;
        var windows = pool.WindowInputs(graph.Nodes[input].Shape);
        var y = new int[windows.Length];
        for (int o = 0; o < windows.Length; o++)
        {
            var w = windows[o];
            y[o] = MaxPoolEncoding.Window(model, w.Select(j => x[j]).ToArray(),
                w.Select(j => NodeBoundArrays.Loosen(lower[input][j], -1, slack)).ToArray(),
                w.Select(j => NodeBoundArrays.Loosen(upper[input][j], 1, slack)).ToArray(), exact);
        }
        return y;
    }

    /// <summary>y = slope·z on the inactive side.</summary>
    int Inactive(int z, double l, double u, double slope)
    {
        if (slope == 0) return model.AddColumn(0, 0);
        int y = model.AddColumn(slope * l, slope * u);
        model.AddRow(0, 0, new[] { y, z }, new[] { 1.0, -slope });
        return y;
    }
}
