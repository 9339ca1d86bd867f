using Google.Protobuf;
using Verify.Import.Proto;
using static TorchSharp.torch;

namespace Verify.Import;

/// <summary>Builds an ONNX model node by node and writes it (opset 13): for exported and test networks.</summary>
public sealed class OnnxModelBuilder
{
    readonly ModelProto model;
    int counter;

    /// <summary>Starts an empty model with the given graph name.</summary>
    public OnnxModelBuilder(string name = "model")
    {
        model = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "Verify",
            Graph = new GraphProto { Name = name },
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
    }

    /// <summary>The model built so far.</summary>
    public ModelProto Model => model;

    /// <summary>Declares a graph input (float32 unless <paramref name="elemType"/> says otherwise) and returns its name.</summary>
    public string Input(string name, long[] shape, string? symbolicBatch = null, int elemType = 1)
    {
        model.Graph.Input.Add(ValueInfo(name, shape, symbolicBatch, elemType));
        return name;
    }

    /// <summary>Declares the graph output (a negative dimension is left symbolic).</summary>
    public void Output(string name, long[] shape, string? symbolicBatch = null, int elemType = 1) =>
        model.Graph.Output.Add(ValueInfo(name, shape, symbolicBatch, elemType));

    /// <summary>Adds a constant initializer and returns its name.</summary>
    public string Initializer(string name, Tensor value)
    {
        model.Graph.Initializer.Add(OnnxTensors.FromTensor(name, value));
        return name;
    }

    /// <summary>
    /// Adds a node and returns the name of its (first) output. Attribute values may be long, double, string,
    /// long[], float[] or a tensor.
    /// </summary>
    public string Node(string opType, string[] inputs, string? name = null, params (string Name, object Value)[] attributes)
    {
        var nodeName = name ?? $"{opType.ToLowerInvariant()}_{counter}";
        counter++;
        var output = $"{nodeName}_out";
        var node = new NodeProto { OpType = opType, Name = nodeName };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (an, v) in attributes) node.Attribute.Add(Attribute(an, v));
        model.Graph.Node.Add(node);
        return output;
    }

    /// <summary>Writes the model to a file.</summary>
    public void Save(string path) => File.WriteAllBytes(path, model.ToByteArray());

    static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
            case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
            case Tensor t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = OnnxTensors.FromTensor(name, t); break;
            default: throw new ArgumentException($"unsupported attribute value type {value.GetType().Name}");
        }
        return a;
    }

    static ValueInfoProto ValueInfo(string name, long[] shape, string? symbolicBatch, int elemType)
    {
        var dims = new TensorShapeProto();
        for (int i = 0; i < shape.Length; i++)
            dims.Dim.Add(i == 0 && symbolicBatch is not null ? new TensorShapeProto.Types.Dimension { DimParam = symbolicBatch }
                : shape[i] < 0 ? new TensorShapeProto.Types.Dimension { DimParam = $"{name}_dim{i}" }
                : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = dims } },
        };
    }
}
