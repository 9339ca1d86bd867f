using Verify.Import.Proto;

namespace Verify.Import;

/// <summary>
/// Orders the nodes of an ONNX graph so that every node comes after the producers of its inputs (Kahn's algorithm,
/// linear in the size of the graph), after checking that every value has one producer. Undefined values and cycles
/// are user errors naming the nodes involved.
/// </summary>
public static class OnnxGraphOrder
{
    /// <summary>The nodes of <paramref name="g"/> in an order where producers come first; <paramref name="known"/> are the values defined before any node (graph inputs, initializers).</summary>
    public static List<NodeProto> Sort(GraphProto g, IReadOnlySet<string> known, string source)
    {
        var producer = new Dictionary<string, int>();
        for (int k = 0; k < g.Node.Count; k++)
            foreach (var output in g.Node[k].Output)
            {
                if (string.IsNullOrEmpty(output)) continue;
                if (known.Contains(output))
                    throw new VerifyException($"{source}: node {Describe(g.Node[k])} writes '{output}', which is a graph input or initializer");
                if (producer.TryGetValue(output, out int first))
                    throw new VerifyException($"{source}: the value '{output}' is written by two nodes, {Describe(g.Node[first])} and {Describe(g.Node[k])}");
                producer.Add(output, k);
            }

        var waiting = new int[g.Node.Count];
        var consumers = new List<int>?[g.Node.Count];
        for (int k = 0; k < g.Node.Count; k++)
        {
            var inputs = g.Node[k].Input;
            for (int i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                if (string.IsNullOrEmpty(input) || known.Contains(input) || IndexOf(inputs, input) < i) continue;
                if (!producer.TryGetValue(input, out int p))
                    throw new VerifyException($"{source}: node {Describe(g.Node[k])} uses undefined value '{input}'");
                waiting[k]++;
                (consumers[p] ??= new List<int>()).Add(k);
            }
        }

        var order = new List<NodeProto>(g.Node.Count);
        var ready = new Queue<int>(Enumerable.Range(0, g.Node.Count).Where(k => waiting[k] == 0));
        while (ready.Count > 0)
        {
            int k = ready.Dequeue();
            order.Add(g.Node[k]);
            foreach (var c in consumers[k] ?? Enumerable.Empty<int>())
                if (--waiting[c] == 0) ready.Enqueue(c);
        }
        if (order.Count < g.Node.Count)
        {
            var stuck = Enumerable.Range(0, g.Node.Count).Where(k => waiting[k] > 0).ToList();
            throw new VerifyException($"{source}: the graph has a cycle: {stuck.Count} node(s) depend on their own outputs ({string.Join(", ", stuck.Take(5).Select(k => Describe(g.Node[k])))}{(stuck.Count > 5 ? ", ..." : "")})");
        }
        return order;
    }

    static int IndexOf(IList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == value) return i;
        return -1;
    }

    /// <summary>A node for messages: its name, or its first output when it has none, and its type.</summary>
    public static string Describe(NodeProto n) =>
        $"'{(string.IsNullOrEmpty(n.Name) ? (n.Output.Count > 0 ? n.Output[0] : "<unnamed>") : n.Name)}' ({n.OpType})";
}
