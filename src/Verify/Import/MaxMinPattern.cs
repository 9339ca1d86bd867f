using Verify.Import.Proto;
using Verify.Operators;

namespace Verify.Import;

/// <summary>One recognised MaxMin sub-graph: the Concat that ends it, the value it sorts, and the nodes it replaces.</summary>
/// <param name="Concat">The final Concat node (where the fused operator is added).</param>
/// <param name="Source">The name of the value whose pairs are sorted.</param>
/// <param name="Inner">The pattern's other nodes (Split or Slices, Max and Min, or ReduceMax and ReduceMin), skipped on import.</param>
/// <param name="Halves">True for the Split/Slice form (pairs (x_j, x_{j+k})), false for the Reduce form (an axis of size 2).</param>
/// <param name="MaxFirst">True when the Concat puts the max first.</param>
internal sealed record MaxMinMatch(NodeProto Concat, string Source, NodeProto[] Inner, bool Halves, bool MaxFirst);

/// <summary>
/// Recognises MaxMin (GroupSort with groups of 2) in an ONNX graph, in two forms, both on the last axis:
/// (a) Split of X into two equal halves (or two Slices [0, k) and [k, 2k), step 1) → Max(A, B) and Min(A, B) → Concat of
/// [Max, Min] or [Min, Max]: pairs (x_j, x_{j+k});
/// (b) ReduceMax and ReduceMin of X over its last axis of size 2 with keepdims=1 → Concat of [ReduceMax, ReduceMin] or
/// the reverse on that axis: the "sort of pairs" form after a Reshape to [.., k, 2].
/// Every intermediate value must feed only the pattern. Other uses of Max, Min, Split, ReduceMax or ReduceMin stay
/// unsupported (the importer's one-line error names them).
/// </summary>
internal static class MaxMinPattern
{
    /// <summary>The matches, by their Concat node.</summary>
    public static Dictionary<NodeProto, MaxMinMatch> Find(GraphProto g)
    {
        var producer = new Dictionary<string, NodeProto>();
        foreach (var n in g.Node)
            foreach (var o in n.Output)
                if (!string.IsNullOrEmpty(o)) producer[o] = n;
        var uses = new Dictionary<string, int>();
        foreach (var n in g.Node)
            foreach (var i in n.Input)
                if (!string.IsNullOrEmpty(i)) uses[i] = uses.GetValueOrDefault(i) + 1;
        foreach (var o in g.Output) uses[o.Name] = uses.GetValueOrDefault(o.Name) + 1;
        NodeProto? From(string name) => producer.GetValueOrDefault(name);

        var matches = new Dictionary<NodeProto, MaxMinMatch>();
        foreach (var concat in g.Node.Where(n => n.OpType == "Concat" && n.Input.Count == 2))
        {
            var first = From(concat.Input[0]);
            var second = From(concat.Input[1]);
            if (first is null || second is null || first.Output.Count != 1 || second.Output.Count != 1) continue;
            if (uses.GetValueOrDefault(first.Output[0]) != 1 || uses.GetValueOrDefault(second.Output[0]) != 1) continue;
            var types = (first.OpType, second.OpType);
            bool reduce = types is ("ReduceMax", "ReduceMin") or ("ReduceMin", "ReduceMax");
            bool binary = types is ("Max", "Min") or ("Min", "Max");
            if (!reduce && !binary) continue;
            bool maxFirst = first.OpType.EndsWith("Max", StringComparison.Ordinal);
            if (reduce)
            {
                if (first.Input.Count < 1 || second.Input.Count != first.Input.Count || first.Input[0] != second.Input[0]) continue;
                matches[concat] = new MaxMinMatch(concat, first.Input[0], new[] { first, second }, false, maxFirst);
                continue;
            }
            if (first.Input.Count != 2 || second.Input.Count != 2) continue;
            var pair = first.Input.ToHashSet();
            if (pair.Count != 2 || !pair.SetEquals(second.Input)) continue;
            // each half is used exactly by Max and Min
            if (pair.Any(v => uses.GetValueOrDefault(v) != 2)) continue;
            var halves = pair.Select(From).ToArray();
            if (halves.Any(h => h is null)) continue;
            if (halves[0] == halves[1] && halves[0]!.OpType == "Split" && halves[0]!.Output.Count == 2 && halves[0]!.Input.Count >= 1)
                matches[concat] = new MaxMinMatch(concat, halves[0]!.Input[0], new[] { halves[0]!, first, second }, true, maxFirst);
            else if (halves.All(h => h!.OpType == "Slice" && h.Input.Count >= 3) && halves[0]!.Input[0] == halves[1]!.Input[0])
                matches[concat] = new MaxMinMatch(concat, halves[0]!.Input[0], new[] { halves[0]!, halves[1]!, first, second }, true, maxFirst);
        }
        return matches;
    }

    /// <summary>
    /// Adds the fused operator for a match on the source value (the context's only input); <paramref name="constant"/>
    /// resolves constant inputs of the pattern's nodes (Split sizes, Slice bounds, Reduce axes). Unsupported parameters
    /// are a user error naming the node.
    /// </summary>
    public static OnnxValue Convert(MaxMinMatch m, OnnxNodeContext n, Func<string, TorchSharp.torch.Tensor?> constant)
    {
        var x = n.Variable(0);
        int rank = x.Shape.Length;
        if (rank == 0) throw n.Error("MaxMin pattern on a scalar");
        int last = rank - 1;
        int Axis(NodeProto node, long fallback) =>
            OnnxShapes.Axis(new OnnxAttributes(node).Int("axis", fallback), rank);
        if (OnnxShapes.Axis(n.Attributes.Int("axis", 0), rank) != last)
            throw n.Error("MaxMin pattern: only the last axis is supported");
        long size = x.Shape[last];
        if (!m.Halves)
        {
            foreach (var r in m.Inner)
            {
                var a = new OnnxAttributes(r);
                var axes = r.Input.Count > 1 && !string.IsNullOrEmpty(r.Input[1])
                    ? ConstantFolder.Longs(constant(r.Input[1]) ?? throw n.Error($"MaxMin pattern: the axes of '{r.Name}' must be constant"))
                    : a.Ints("axes");
                if (axes is null || axes.Length != 1 || OnnxShapes.Axis(axes[0], rank) != last || a.Int("keepdims", 1) != 1)
                    throw n.Error($"MaxMin pattern: '{r.Name}' must reduce only the last axis with keepdims=1");
            }
            if (size != 2) throw n.Error($"MaxMin pattern: the reduced axis must have size 2, got {size}");
            return n.Add(Householder.MaxMin(1, m.MaxFirst), x);
        }
        if (size % 2 != 0) throw n.Error($"MaxMin pattern: the last axis has odd size {size}");
        long k = size / 2;
        var inner = m.Inner[0];
        if (inner.OpType == "Split")
        {
            if (Axis(inner, 0) != last) throw n.Error($"MaxMin pattern: '{inner.Name}' must split the last axis");
            var sizes = inner.Input.Count > 1 && !string.IsNullOrEmpty(inner.Input[1])
                ? ConstantFolder.Longs(constant(inner.Input[1]) ?? throw n.Error($"MaxMin pattern: the split sizes of '{inner.Name}' must be constant"))
                : new OnnxAttributes(inner).Ints("split");
            if (sizes is not null && !(sizes.Length == 2 && sizes[0] == k && sizes[1] == k))
                throw n.Error($"MaxMin pattern: '{inner.Name}' must split into two equal halves");
        }
        else
        {
            var starts = new long[2];
            for (int s = 0; s < 2; s++)
            {
                var slice = m.Inner[s];
                long[] Get(int i) => ConstantFolder.Longs(constant(slice.Input[i]) ?? throw n.Error($"MaxMin pattern: input {i} of '{slice.Name}' must be constant"));
                var st = Get(1);
                var en = Get(2);
                var axes = slice.Input.Count > 3 && !string.IsNullOrEmpty(slice.Input[3]) ? Get(3) : Enumerable.Range(0, st.Length).Select(i => (long)i).ToArray();
                var steps = slice.Input.Count > 4 && !string.IsNullOrEmpty(slice.Input[4]) ? Get(4) : st.Select(_ => 1L).ToArray();
                if (st.Length != 1 || en.Length != 1 || axes.Length != 1 || steps.Length != 1 || OnnxShapes.Axis(axes[0], rank) != last || steps[0] != 1)
                    throw n.Error($"MaxMin pattern: '{slice.Name}' must slice only the last axis with step 1");
                long b = st[0] < 0 ? st[0] + size : st[0], e = Math.Min(en[0] < 0 ? en[0] + size : en[0], size);
                if (e - b != k || (b != 0 && b != k)) throw n.Error($"MaxMin pattern: '{slice.Name}' must take one half of the last axis");
                starts[s] = b;
            }
            if (starts[0] == starts[1]) throw n.Error("MaxMin pattern: both slices take the same half");
        }
        if (k > int.MaxValue) throw n.Error("MaxMin pattern: too many pairs");
        return n.Add(Householder.MaxMin((int)k, m.MaxFirst), x);
    }
}
