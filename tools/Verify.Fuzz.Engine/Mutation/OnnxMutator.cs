using Google.Protobuf;
using Verify.Fuzz.Inputs;
using Verify.Fuzz.Seeds;
using Verify.Import.Proto;

namespace Verify.Fuzz.Mutation;

/// <summary>Mutates ONNX seeds: bit flips and truncation on their bytes, the other categories on the parsed model.</summary>
public sealed class OnnxMutator
{
    /// <summary>The length of the node chains and the depth of the nested sub-graphs of the deep-nesting category.</summary>
    public const int DeepNesting = 100_000;

    /// <summary>Number of float32 values of a 200 MB tensor.</summary>
    public const long HugeTensorValues = 50_000_000;

    /// <summary>The categories this mutator produces.</summary>
    public static IReadOnlyList<FuzzCategory> Categories { get; } = new[]
    {
        FuzzCategory.BitFlip, FuzzCategory.Truncation, FuzzCategory.HugeDimensions, FuzzCategory.Int64Overflow,
        FuzzCategory.NonFiniteLiterals, FuzzCategory.DeepNesting, FuzzCategory.HugeDeclaredTensor, FuzzCategory.CyclicGraph,
        FuzzCategory.MissingInputs, FuzzCategory.DuplicateNames, FuzzCategory.WrongSizes, FuzzCategory.UnsupportedOperators,
        FuzzCategory.AttributeValues,
    };

    static readonly long[] HugeDims = { 1L << 31, 1L << 40, 1_000_000_000_000, long.MaxValue / 2, 3_000_000_000, 0, -1, -7, long.MinValue, int.MaxValue, 100_000 };
    static readonly long[][] OverflowDims =
    {
        new[] { 1L << 32, 1L << 32 }, new[] { long.MaxValue, 2L }, new[] { 1L << 62, 4L }, new[] { 3037000500L, 3037000500L },
        new[] { -(1L << 32), -(1L << 32) }, new[] { long.MinValue, -1L }, new[] { 1L << 21, 1L << 21, 1L << 21 },
    };
    static readonly string[] UnknownOps = { "Foo", "LSTM", "Loop", "", "relu", "Softmax", "If", "Erf", "Resize", "Where" };
    static readonly string[] AttributeNames =
    {
        "group", "auto_pad", "ceil_mode", "dilations", "strides", "pads", "kernel_shape", "perm", "axis", "axes", "transA",
        "transB", "alpha", "beta", "epsilon", "allowzero", "count_include_pad", "to", "mode", "value",
    };

    readonly IReadOnlyList<OnnxSeed> seeds;

    /// <summary>A mutator of the given seeds.</summary>
    public OnnxMutator(IReadOnlyList<OnnxSeed> seeds) => this.seeds = seeds;

    /// <summary>A mutated input of the given category.</summary>
    public FuzzInput Mutate(int index, FuzzCategory category, Random rng)
    {
        // Byte-level mutations prefer the small built models, where most bytes are structure rather than weights.
        var small = seeds.Where(s => s.Bytes.Length < 20_000).ToList();
        var seed = category is FuzzCategory.BitFlip or FuzzCategory.Truncation && small.Count > 0 && rng.Chance(0.7) ? rng.One(small) : rng.One(seeds);
        byte[] data;
        string note;
        if (category == FuzzCategory.BitFlip) (data, note) = BitFlip(seed.Bytes, rng);
        else if (category == FuzzCategory.Truncation) (data, note) = Truncate(seed.Bytes, rng);
        else if (category == FuzzCategory.DeepNesting && rng.Chance(0.25)) (data, note) = NestedSubgraphs(seed.Bytes, rng);
        else
        {
            var model = seed.Model.Clone();
            note = new ModelMutations(model, rng).Apply(category);
            data = model.ToByteArray();
        }
        return new FuzzInput(FuzzTarget.Onnx, index, category, seed.Name, data, note, Spec: seed.Spec);
    }

    static (byte[], string) BitFlip(byte[] seed, Random rng)
    {
        var bytes = (byte[])seed.Clone();
        var boundaries = rng.Chance(0.5) ? ProtobufBoundaries.Of(bytes) : null;
        int flips = 1 + rng.Next(16);
        var at = new List<string>();
        for (int k = 0; k < flips; k++)
        {
            int i = boundaries is null ? rng.Next(bytes.Length) : Math.Clamp(rng.One(boundaries) + rng.Next(-2, 6), 0, bytes.Length - 1);
            int bit = rng.Next(8);
            bytes[i] ^= (byte)(1 << bit);
            at.Add($"{i}.{bit}");
        }
        return (bytes, $"flipped bits {string.Join(",", at)}");
    }

    static (byte[], string) Truncate(byte[] seed, Random rng)
    {
        var boundaries = ProtobufBoundaries.Of(seed);
        int at = rng.One(boundaries) + (rng.Chance(0.3) ? rng.Next(-2, 3) : 0);
        at = Math.Clamp(at, 0, seed.Length);
        return (seed[..at], $"cut at {at} of {seed.Length} (field boundary{(boundaries.Contains(at) ? "" : " nearby")})");
    }

    /// <summary>The seed with a node appended whose attribute holds a graph whose node's attribute holds a graph ... 10^5 deep.</summary>
    static (byte[], string) NestedSubgraphs(byte[] seed, Random rng)
    {
        int depth = rng.One(new[] { DeepNesting, 1_000, 101 });
        // Level k (from the inside out) is Graph{node: Node{op_type: "If", attribute: Attribute{name: "g", g: level k-1}}}.
        // Sizes are computed inside out, then written outside in, so the 10^5 levels cost linear time.
        var sizes = new long[depth + 1];
        sizes[0] = 0;
        const int opType = 4; // "If" as field 4 of NodeProto: tag, length, 2 bytes
        for (int k = 1; k <= depth; k++)
        {
            long attribute = 3 /* name "g" */ + 1 + VarintSize(sizes[k - 1]) + sizes[k - 1];
            long node = opType + 1 + VarintSize(attribute) + attribute;
            sizes[k] = 1 + VarintSize(node) + node;
        }
        using var stream = new MemoryStream();
        stream.Write(seed);
        var output = new CodedOutputStream(stream, leaveOpen: true);
        output.WriteTag(7, WireFormat.WireType.LengthDelimited);   // ModelProto.graph (merged into the seed's graph)
        output.WriteLength((int)sizes[depth]);
        for (int k = depth; k >= 1; k--)
        {
            long attribute = 3 + 1 + VarintSize(sizes[k - 1]) + sizes[k - 1];
            long node = opType + 1 + VarintSize(attribute) + attribute;
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);   // GraphProto.node
            output.WriteLength((int)node);
            output.WriteTag(4, WireFormat.WireType.LengthDelimited);   // NodeProto.op_type
            output.WriteString("If");
            output.WriteTag(5, WireFormat.WireType.LengthDelimited);   // NodeProto.attribute
            output.WriteLength((int)attribute);
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);   // AttributeProto.name
            output.WriteString("g");
            output.WriteTag(6, WireFormat.WireType.LengthDelimited);   // AttributeProto.g
            output.WriteLength((int)sizes[k - 1]);
        }
        output.Flush();
        return (stream.ToArray(), $"sub-graphs nested {depth} deep");
    }

    static int VarintSize(long v) => CodedOutputStream.ComputeLengthSize((int)v);

    /// <summary>The structural mutations of one model.</summary>
    sealed class ModelMutations(ModelProto model, Random rng)
    {
        GraphProto G => model.Graph;

        public string Apply(FuzzCategory category) => category switch
        {
            FuzzCategory.HugeDimensions => HugeDimensions(),
            FuzzCategory.Int64Overflow => Overflow(),
            FuzzCategory.NonFiniteLiterals => NonFinite(),
            FuzzCategory.DeepNesting => Chain(),
            FuzzCategory.HugeDeclaredTensor => HugeTensor(),
            FuzzCategory.CyclicGraph => Cycle(),
            FuzzCategory.MissingInputs => Missing(),
            FuzzCategory.DuplicateNames => Duplicate(),
            FuzzCategory.WrongSizes => WrongSizes(),
            FuzzCategory.UnsupportedOperators => Unsupported(),
            FuzzCategory.AttributeValues => Attributes(),
            _ => throw new ArgumentOutOfRangeException(nameof(category), category, "not a model mutation"),
        };

        NodeProto RandomNode() => rng.One(G.Node);

        TensorShapeProto InputShape() => G.Input.First(i => G.Initializer.All(t => t.Name != i.Name)).Type.TensorType.Shape;

        TensorProto? RandomInitializer(Func<TensorProto, bool>? where = null)
        {
            var list = G.Initializer.Where(where ?? (_ => true)).ToList();
            return list.Count == 0 ? null : rng.One(list);
        }

        static void SetDims(TensorShapeProto shape, long[] dims)
        {
            shape.Dim.Clear();
            foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        string HugeDimensions()
        {
            long huge = rng.One(HugeDims);
            switch (rng.Next(5))
            {
                case 0:
                {
                    var shape = InputShape();
                    int k = rng.Next(shape.Dim.Count);
                    shape.Dim[k] = new TensorShapeProto.Types.Dimension { DimValue = huge };
                    return $"input dim {k} = {huge}";
                }
                case 1 when RandomInitializer() is { } t && t.Dims.Count > 0:
                {
                    int k = rng.Next(t.Dims.Count);
                    t.Dims[k] = huge;
                    return $"initializer '{t.Name}' dim {k} = {huge}";
                }
                case 2 when RandomInitializer(t => t.DataType == 7) is { } ints:
                {
                    // Shape-like int64 constants (Reshape targets, Slice ends, pads, axes).
                    var values = ints.RawData.Length > 0 ? Longs(ints) : ints.Int64Data.ToArray();
                    if (values.Length == 0) goto default;
                    int k = rng.Next(values.Length);
                    values[k] = huge;
                    SetLongs(ints, values);
                    return $"int64 initializer '{ints.Name}' value {k} = {huge}";
                }
                case 3:
                {
                    var shape = InputShape();
                    int rank = rng.One(new[] { 64, 1000, 100_000 });
                    SetDims(shape, Enumerable.Repeat(1L, rank).ToArray());
                    return $"input of rank {rank}";
                }
                default:
                {
                    var shape = G.Output[0].Type?.TensorType?.Shape;
                    if (shape is null || shape.Dim.Count == 0) return "no output shape to change";
                    shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimValue = huge };
                    return $"output dim 0 = {huge}";
                }
            }
        }

        string Overflow()
        {
            var dims = rng.One(OverflowDims);
            switch (rng.Next(4))
            {
                case 0:
                    SetDims(InputShape(), dims);
                    return $"input dims [{string.Join(",", dims)}]";
                case 1 when RandomInitializer() is { } t:
                    t.Dims.Clear();
                    t.Dims.AddRange(dims);
                    return $"initializer '{t.Name}' dims [{string.Join(",", dims)}]";
                case 2:
                {
                    var shape = InputShape();
                    var all = shape.Dim.Select(d => d.DimValue).ToList();
                    all.AddRange(dims);
                    SetDims(shape, all.ToArray());
                    return $"input dims extended by [{string.Join(",", dims)}]";
                }
                default:
                {
                    // A folded ConstantOfShape whose shape overflows.
                    var shapeName = $"overflow_shape_{rng.Next(1000)}";
                    var t = new TensorProto { Name = shapeName, DataType = 7 };
                    t.Dims.Add(dims.Length);
                    t.Int64Data.AddRange(dims);
                    G.Initializer.Add(t);
                    var node = new NodeProto { OpType = "ConstantOfShape", Name = "overflow" };
                    node.Input.Add(shapeName);
                    node.Output.Add("overflow_out");
                    G.Node.Add(node);
                    return $"ConstantOfShape [{string.Join(",", dims)}]";
                }
            }
        }

        string NonFinite()
        {
            float value = rng.One(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon });
            if (rng.Chance(0.6) && RandomInitializer(t => t.DataType == 1 && t.RawData.Length >= 4) is { } t)
            {
                var raw = t.RawData.ToByteArray();
                int count = 1 + rng.Next(Math.Min(8, raw.Length / 4));
                for (int k = 0; k < count; k++)
                    BitConverter.TryWriteBytes(raw.AsSpan(4 * rng.Next(raw.Length / 4)), value);
                t.RawData = ByteString.CopyFrom(raw);
                return $"{count} values of '{t.Name}' = {value}";
            }
            var node = RandomNode();
            var name = rng.One(new[] { "alpha", "beta", "epsilon", "value_float" });
            node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
            return $"node '{node.Name}' attribute {name} = {value}";
        }

        string Chain()
        {
            var output = G.Output[0];
            string last = output.Name;
            var ops = rng.One(new[] { new[] { "Relu" }, new[] { "Identity" }, new[] { "Neg", "Relu" }, new[] { "Sigmoid", "Dropout" } });
            // Every third chain is 10^5 long; the others are shorter, so that a run of 10,000 inputs stays affordable.
            int length = rng.One(new[] { DeepNesting, 10_000, 1_000 });
            var nodes = new List<NodeProto>(length);
            for (int k = 0; k < length; k++)
            {
                var node = new NodeProto { OpType = ops[k % ops.Length], Name = $"chain_{k}" };
                node.Input.Add(last);
                last = $"chain_{k}_out";
                node.Output.Add(last);
                nodes.Add(node);
            }
            string order = rng.One(new[] { "in order", "reversed", "shuffled", "wide" });
            if (order == "wide")
            {
                // Every node reads the old output, and a Concat joins the first 1000 of them.
                foreach (var n in nodes) { n.Input[0] = output.Name; }
                var concat = new NodeProto { OpType = "Concat", Name = "wide_concat" };
                concat.Input.AddRange(nodes.Take(Math.Min(1000, length)).Select(n => n.Output[0]));
                concat.Output.Add("wide_out");
                concat.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
                nodes.Add(concat);
                last = "wide_out";
            }
            else if (order == "reversed") nodes.Reverse();
            else if (order == "shuffled") rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(nodes));
            G.Node.AddRange(nodes);
            output.Name = last;
            return $"chain of {length} {string.Join("/", ops)} nodes after the output, {order}";
        }

        string HugeTensor()
        {
            var t = RandomInitializer(x => x.DataType == 1) ?? new TensorProto { Name = "w_new", DataType = 1 };
            if (!G.Initializer.Contains(t)) G.Initializer.Add(t);
            switch (rng.Next(8))
            {
                case 0:
                    t.Dims.Clear();
                    t.Dims.Add(HugeTensorValues);
                    return $"'{t.Name}' declared [{HugeTensorValues}], data kept";
                case 1:
                    t.Dims.Clear();
                    t.Dims.AddRange(new[] { 10_000L, 5_000L });
                    t.RawData = ByteString.Empty;
                    t.FloatData.Clear();
                    return $"'{t.Name}' declared [10000,5000] without data";
                case 2:
                    t.Dims.Clear();
                    t.Dims.Add(HugeTensorValues);
                    t.RawData = ByteString.Empty;
                    t.FloatData.Clear();
                    t.FloatData.AddRange(new[] { 1f, 2f, 3f });
                    return $"'{t.Name}' declared [{HugeTensorValues}] with 3 float_data values";
                case 3:
                {
                    var raw = t.RawData.ToByteArray();
                    int delta = rng.One(new[] { -1, -2, -3, 1, 3, 4, -4 });
                    var resized = new byte[Math.Max(0, raw.Length + delta)];
                    Array.Copy(raw, resized, Math.Min(raw.Length, resized.Length));
                    t.RawData = ByteString.CopyFrom(resized);
                    return $"'{t.Name}' raw_data {raw.Length} -> {resized.Length} bytes";
                }
                case 4:
                {
                    var big = new TensorProto { Name = "huge_unused", DataType = rng.One(new[] { 1, 11, 7 }) };
                    big.Dims.AddRange(new[] { HugeTensorValues, rng.One(new[] { 1L, 4L }) });
                    big.RawData = ByteString.CopyFrom(new byte[16]);
                    G.Initializer.Add(big);
                    return "unused initializer declared 200 MB with 16 bytes";
                }
                case 5:
                {
                    var shape = new TensorProto { Name = "huge_shape", DataType = 7 };
                    var dims = rng.One(new[] { new[] { HugeTensorValues }, new[] { 100_000L, 100_000L }, new[] { 1L << 28 } });
                    shape.Dims.Add(dims.Length);
                    shape.Int64Data.AddRange(dims);
                    G.Initializer.Add(shape);
                    var node = new NodeProto { OpType = "ConstantOfShape", Name = "huge_fill" };
                    node.Input.Add("huge_shape");
                    node.Output.Add("huge_fill_out");
                    G.Node.Add(node);
                    return $"ConstantOfShape [{string.Join(",", dims)}]";
                }
                case 6:
                    t.DataLocation = TensorProto.Types.DataLocation.External;
                    t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "/dev/zero" });
                    return $"'{t.Name}' external data";
                default:
                {
                    int type = rng.One(new[] { 0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 99, -1 });
                    t.DataType = type;
                    return $"'{t.Name}' data type {type}";
                }
            }
        }

        string Cycle()
        {
            if (G.Node.Count == 0) return "no nodes";
            int k = rng.Next(G.Node.Count);
            var node = G.Node[k];
            switch (rng.Next(3))
            {
                case 0:
                    if (node.Input.Count == 0) node.Input.Add(node.Output[0]); else node.Input[0] = node.Output[0];
                    return $"node '{node.Name}' reads its own output";
                case 1:
                {
                    int m = rng.Next(k, G.Node.Count);
                    var later = G.Node[m];
                    int slot = node.Input.Count == 0 ? 0 : rng.Next(node.Input.Count);
                    if (node.Input.Count == 0) node.Input.Add(later.Output[0]); else node.Input[slot] = later.Output[0];
                    return $"node '{node.Name}' input {slot} reads '{later.Output[0]}' (node {m})";
                }
                default:
                {
                    var a = new NodeProto { OpType = "Relu", Name = "cycle_a" };
                    a.Input.Add("cycle_b_out");
                    a.Output.Add("cycle_a_out");
                    var b = new NodeProto { OpType = "Add", Name = "cycle_b" };
                    b.Input.Add("cycle_a_out");
                    b.Input.Add(node.Output[0]);
                    b.Output.Add("cycle_b_out");
                    G.Node.Add(a);
                    G.Node.Add(b);
                    return "a two-node cycle beside the graph";
                }
            }
        }

        string Missing()
        {
            var node = RandomNode();
            switch (rng.Next(10))
            {
                case 0 when node.Input.Count > 0:
                {
                    int k = rng.Next(node.Input.Count);
                    node.Input.RemoveAt(k);
                    return $"node '{node.Name}' ({node.OpType}) input {k} removed";
                }
                case 1:
                    node.Input.Clear();
                    return $"node '{node.Name}' ({node.OpType}) has no inputs";
                case 2 when node.Input.Count > 0:
                    node.Input[rng.Next(node.Input.Count)] = "undefined_value";
                    return $"node '{node.Name}' reads an undefined value";
                case 3 when node.Input.Count > 0:
                    node.Input[rng.Next(node.Input.Count)] = "";
                    return $"node '{node.Name}' has an omitted input";
                case 4 when G.Initializer.Count > 0:
                {
                    var t = rng.One(G.Initializer);
                    G.Initializer.Remove(t);
                    return $"initializer '{t.Name}' removed";
                }
                case 5:
                    G.Input.Clear();
                    return "no graph inputs";
                case 6:
                    if (rng.Chance(0.5)) { G.Output.Clear(); return "no graph outputs"; }
                    G.Output.Add(G.Output[0].Clone());
                    G.Output[^1].Name = node.Output[0];
                    return "two graph outputs";
                case 7:
                    G.Node.Remove(node);
                    return $"node '{node.Name}' removed";
                case 8:
                {
                    var input = G.Input.First(i => G.Initializer.All(t => t.Name != i.Name));
                    switch (rng.Next(4))
                    {
                        case 0: input.Type = null; return "input without a type";
                        case 1: input.Type.TensorType.Shape = null; return "input without a shape";
                        case 2: input.Type.TensorType.ElemType = rng.One(new[] { 0, 7, 9, 10 }); return "input of a non-float type";
                        default: input.Type.TensorType.Shape.Dim.Clear(); return "input of rank 0";
                    }
                }
                default:
                    if (rng.Chance(0.5)) { model.Graph = null; return "no graph"; }
                    G.Node.Clear();
                    return "no nodes";
            }
        }

        string Duplicate()
        {
            var node = RandomNode();
            switch (rng.Next(6))
            {
                case 0:
                    foreach (var n in G.Node) n.Name = "same";
                    return "every node named 'same'";
                case 1:
                    G.Node.Insert(rng.Next(G.Node.Count + 1), node.Clone());
                    return $"node '{node.Name}' twice";
                case 2:
                {
                    var other = RandomNode();
                    node.Output[0] = other.Output[0];
                    return $"nodes '{node.Name}' and '{other.Name}' write '{other.Output[0]}'";
                }
                case 3 when G.Initializer.Count > 0:
                {
                    var t = rng.One(G.Initializer).Clone();
                    t.Dims.Clear();
                    t.Dims.Add(1);
                    t.RawData = ByteString.CopyFrom(new byte[t.DataType == 7 || t.DataType == 11 ? 8 : 4]);
                    t.FloatData.Clear();
                    t.Int64Data.Clear();
                    G.Initializer.Add(t);
                    return $"initializer '{t.Name}' twice (second of shape [1])";
                }
                case 4:
                    G.Input.Add(G.Input[0].Clone());
                    return $"graph input '{G.Input[0].Name}' twice";
                default:
                    node.Output[0] = G.Input[0].Name;
                    return $"node '{node.Name}' writes the graph input '{G.Input[0].Name}'";
            }
        }

        string WrongSizes()
        {
            var t = RandomInitializer();
            if (t is null) return "no initializers";
            var dims = t.Dims.ToArray();
            long numel = dims.Aggregate(1L, (a, b) => a * b);
            long[] changed = rng.Next(5) switch
            {
                0 => dims.Reverse().ToArray(),
                1 => dims.Prepend(1L).ToArray(),
                2 => dims.Skip(1).ToArray(),
                3 => new[] { numel },
                _ => dims.Select((d, i) => i == 0 ? d + 1 : d).ToArray(),
            };
            t.Dims.Clear();
            t.Dims.AddRange(changed);
            long changedCount = changed.Aggregate(1L, (a, b) => a * b);
            if (changedCount != numel && changedCount < 1_000_000 && t.DataType == 1 && t.RawData.Length > 0)
                t.RawData = ByteString.CopyFrom(new byte[4 * changedCount]);
            return $"initializer '{t.Name}' dims [{string.Join(",", dims)}] -> [{string.Join(",", changed)}]";
        }

        string Unsupported()
        {
            int count = 1 + rng.Next(Math.Min(3, G.Node.Count));
            var renamed = new List<string>();
            foreach (var node in G.Node.OrderBy(_ => rng.Next()).Take(count))
            {
                if (rng.Chance(0.2)) node.Domain = rng.One(new[] { "com.microsoft", "ai.onnx.ml", "custom" });
                else node.OpType = rng.One(UnknownOps);
                if (rng.Chance(0.2)) node.Name = "";
                renamed.Add($"{node.Name}:{node.Domain}.{node.OpType}");
            }
            if (rng.Chance(0.2)) model.OpsetImport[0].Version = rng.One(new[] { 1L, 99_999L, -1L });
            return $"unsupported {string.Join(", ", renamed)}";
        }

        string Attributes()
        {
            var node = RandomNode();
            if (node.Attribute.Count == 0 || rng.Chance(0.4))
            {
                var name = rng.One(AttributeNames);
                var a = new AttributeProto { Name = name };
                switch (rng.Next(4))
                {
                    case 0: a.Type = AttributeProto.Types.AttributeType.Int; a.I = rng.One(new[] { 0L, -1, 2, 7, 99, long.MaxValue, long.MinValue }); break;
                    case 1: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(Enumerable.Range(0, rng.Next(6)).Select(_ => rng.One(new[] { 0L, -1, 1, 2, 5, 1L << 40 }))); break;
                    case 2: a.Type = AttributeProto.Types.AttributeType.Float; a.F = rng.One(new[] { 0f, -1f, 1e30f, float.NaN }); break;
                    default: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(rng.One(new[] { "SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "reflect", "edge", "garbage", "" })); break;
                }
                node.Attribute.Add(a);
                return $"node '{node.Name}' ({node.OpType}) gets {name} = {a}";
            }
            var attr = rng.One(node.Attribute);
            switch (rng.Next(6))
            {
                case 0:
                    attr.I = rng.One(new[] { 0L, -1, -2, 3, 1L << 40, long.MaxValue, long.MinValue });
                    break;
                case 1:
                    if (attr.Ints.Count > 0) attr.Ints[rng.Next(attr.Ints.Count)] = rng.One(new[] { 0L, -1, -3, 5, 1L << 40, long.MaxValue, long.MinValue });
                    else attr.Ints.Add(-1);
                    break;
                case 2:
                    if (attr.Ints.Count > 0 && rng.Chance(0.5)) attr.Ints.RemoveAt(rng.Next(attr.Ints.Count));
                    else attr.Ints.Add(rng.One(new[] { 0L, 1, 2 }));
                    break;
                case 3:
                    attr.Ints.Clear();
                    attr.Floats.Clear();
                    break;
                case 4:
                    attr.F = rng.One(new[] { float.NaN, float.PositiveInfinity, -1f, 0f });
                    break;
                default:
                    if (attr.T is { } t) { t.Dims.Add(rng.One(new[] { 0L, 2, -1 })); }
                    else attr.S = ByteString.CopyFromUtf8(rng.One(new[] { "SAME_UPPER", "garbage", "" }));
                    break;
            }
            return $"node '{node.Name}' ({node.OpType}) attribute now {attr}";
        }

        static long[] Longs(TensorProto t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray();

        static void SetLongs(TensorProto t, long[] values)
        {
            t.RawData = ByteString.Empty;
            t.Int64Data.Clear();
            t.Int64Data.AddRange(values);
        }
    }
}
