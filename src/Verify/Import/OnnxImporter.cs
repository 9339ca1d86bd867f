using Verify.Graph;
using Verify.Import.Proto;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Import;

/// <summary>
/// Turns an ONNX model into a <see cref="ComputationGraph"/>: constant sub-graphs are folded, every other node is
/// converted by the operator registry, and a model with unsupported operators fails with one message naming every
/// unsupported operator type and the nodes that use it.
/// </summary>
public static class OnnxImporter
{
    /// <summary>Reads and imports an ONNX file.</summary>
    public static ComputationGraph Load(string path) => Import(OnnxModelReader.Load(path), path);

    /// <summary>True when nodes of this type can be imported (on variable inputs, or folded when constant).</summary>
    public static bool IsSupported(string opType) => OnnxConverters.Registry.ContainsKey(opType) || ConstantFolder.CanFold(opType);

    /// <summary>Imports a parsed model; <paramref name="source"/> names it in error messages.</summary>
    public static ComputationGraph Import(ModelProto model, string source)
    {
        var g = model.Graph ?? throw new VerifyException($"{source}: the model has no graph");
        var maxMin = MaxMinPattern.Find(g);
        var fused = maxMin.Values.SelectMany(m => m.Inner).ToHashSet();
        RejectUnsupported(g, source, fused);
        var values = new Dictionary<string, OnnxValue>();
        OnnxArity.Check(g, source);
        foreach (var init in g.Initializer)
        {
            if (values.ContainsKey(init.Name)) throw new VerifyException($"{source}: the initializer '{init.Name}' is defined twice");
            values[init.Name] = new ConstantValue(OnnxTensors.ToTensor(init, CPU));
        }
        var inputs = g.Input.Where(i => !values.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new VerifyException($"{source}: expected exactly one network input, found {inputs.Count}" +
                (inputs.Count > 0 ? $" ({string.Join(", ", inputs.Select(i => i.Name))})" : ""));
        if (g.Output.Count != 1)
            throw new VerifyException($"{source}: expected exactly one network output, found {g.Output.Count}");
        var input = inputs[0];
        var inputShape = InputShape(input, source);
        var nodes = new List<Node> { new(0, input.Name, new InputOp(inputShape), Array.Empty<int>(), inputShape) };
        var names = new HashSet<string> { input.Name };
        values[input.Name] = new NodeValue(0, inputShape);

        foreach (var node in OnnxGraphOrder.Sort(g, values.Keys.ToHashSet(), source))
        {
            if (fused.Contains(node)) continue;
            if (maxMin.TryGetValue(node, out var match))
            {
                var source0 = values.GetValueOrDefault(match.Source);
                var context = new OnnxNodeContext(node, new[] { source0 }, nodes, names);
                var fusedValue = Convert(c => new[] { MaxMinPattern.Convert(match, c, name => (values.GetValueOrDefault(name) as ConstantValue)?.Tensor) }, context);
                values[node.Output[0]] = fusedValue[0];
                continue;
            }
            var ins = node.Input.Select(name => string.IsNullOrEmpty(name) ? null
                : values.TryGetValue(name, out var v) ? v : throw new VerifyException($"{source}: node '{node.Name}' uses undefined value '{name}'")).ToArray();
            OnnxValue[] outs;
            if (ConstantFolder.CanFold(node.OpType) && ins.All(v => v is null or ConstantValue))
                outs = ConstantFolder.Evaluate(node, ins.Select(v => (v as ConstantValue)?.Tensor).ToArray())
                    .Select(t => (OnnxValue)new ConstantValue(t)).ToArray();
            else if (node.OpType == "Shape" && ins[0] is NodeValue shaped)
                outs = new OnnxValue[] { new ConstantValue(torch.tensor(shaped.Shape, dtype: ScalarType.Int64)) };
            else if (OnnxConverters.Registry.TryGetValue(node.OpType, out var convert))
                outs = Convert(convert, new OnnxNodeContext(node, ins, nodes, names));
            else
                throw new VerifyException($"{source}: node '{node.Name}' ({node.OpType}) is supported only on constant inputs");
            for (int k = 0; k < Math.Min(outs.Length, node.Output.Count); k++)
                if (!string.IsNullOrEmpty(node.Output[k])) values[node.Output[k]] = outs[k];
        }

        var outName = g.Output[0].Name;
        if (!values.TryGetValue(outName, out var output))
            throw new VerifyException($"{source}: the output '{outName}' is not produced by any node");
        if (output is not NodeValue outNode)
            throw new VerifyException($"{source}: the output '{outName}' does not depend on the input");
        return Prune(nodes, outNode.Node, input.Name, outName);
    }

    /// <summary>
    /// Runs a converter; an exception other than a user error (a tensor library error on constants of shapes the
    /// converter did not check) still becomes a user error naming the node, with the cause kept as inner exception.
    /// </summary>
    static OnnxValue[] Convert(OnnxConverters.Converter convert, OnnxNodeContext context)
    {
        try
        {
            return convert(context);
        }
        catch (VerifyException e)
        {
            // Shape rules throw without saying which node they were checking.
            var prefix = context.Error("").Message;
            if (e.Message.StartsWith(prefix, StringComparison.Ordinal)) throw;
            throw context.Error(e.Message);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            throw context.Attributes.Error($"cannot import: {e.Message.Split('\n')[0]}", e);
        }
    }

    static void RejectUnsupported(GraphProto g, string source, HashSet<NodeProto> fused)
    {
        var bad = g.Node.Where(n => !fused.Contains(n) && (!(n.Domain is "" or "ai.onnx") || !IsSupported(n.OpType)))
            .GroupBy(n => (string.IsNullOrEmpty(n.Domain) || n.Domain == "ai.onnx" ? "" : n.Domain + ".") + (n.OpType.Length > 0 ? n.OpType : "<empty op_type>"))
            .Select(grp => $"{grp.Key} (nodes: {string.Join(", ", grp.Select(n => string.IsNullOrEmpty(n.Name) ? "<unnamed>" : n.Name))})")
            .ToList();
        if (bad.Count > 0)
            throw new VerifyException($"{source}: unsupported operators: {string.Join("; ", bad)}");
    }

    static long[] InputShape(ValueInfoProto input, string source)
    {
        var t = input.Type?.TensorType ?? throw new VerifyException($"{source}: input '{input.Name}' is not a tensor");
        if (t.ElemType is not (1 or 11))
            throw new VerifyException($"{source}: input '{input.Name}' has element type {t.ElemType}; only float and double inputs are supported");
        if (t.Shape is null) throw new VerifyException($"{source}: input '{input.Name}' has no shape");
        // Symbolic or unknown dimensions (the batch) count as 1: a sample keeps its ONNX rank.
        var shape = t.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : 1L).ToArray();
        try
        {
            OnnxShapes.CheckValueShape(shape);
        }
        catch (VerifyException e)
        {
            throw new VerifyException($"{source}: input '{input.Name}': {e.Message}");
        }
        return shape;
    }

    static ComputationGraph Prune(List<Node> nodes, int output, string inputName, string outputName)
    {
        var keep = new bool[nodes.Count];
        keep[output] = true;
        keep[0] = true;
        for (int i = output; i >= 0; i--)
            if (keep[i]) foreach (var j in nodes[i].Inputs) keep[j] = true;
        var map = new int[nodes.Count];
        var kept = new List<Node>();
        for (int i = 0; i < nodes.Count; i++)
        {
            if (!keep[i]) continue;
            map[i] = kept.Count;
            kept.Add(nodes[i] with { Index = kept.Count, Inputs = nodes[i].Inputs.Select(j => map[j]).ToArray() });
        }
        return new ComputationGraph(kept, map[output], inputName, outputName);
    }
}
