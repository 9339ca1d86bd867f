using Google.Protobuf;
using Verify.Import.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Import;

/// <summary>Conversion between ONNX TensorProto and TorchSharp tensors.</summary>
public static class OnnxTensors
{
    /// <summary>The tensor held by <paramref name="t"/> (raw or typed data), on the given device.</summary>
    public static Tensor ToTensor(TensorProto t, Device device)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new VerifyException($"tensor '{t.Name}' uses external data, which is not supported");
        var shape = t.Dims.ToArray();
        CheckedCount(t);
        var raw = t.RawData.Span;
        Tensor result = t.DataType switch
        {
            (int)TensorProto.Types.DataType.Float => raw.Length > 0
                ? torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray())
                : torch.tensor(t.FloatData.ToArray()),
            (int)TensorProto.Types.DataType.Double => raw.Length > 0
                ? torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(raw).ToArray())
                : torch.tensor(t.DoubleData.ToArray()),
            (int)TensorProto.Types.DataType.Int64 => raw.Length > 0
                ? torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(raw).ToArray())
                : torch.tensor(t.Int64Data.ToArray()),
            (int)TensorProto.Types.DataType.Int32 => raw.Length > 0
                ? torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(raw).ToArray())
                : torch.tensor(t.Int32Data.ToArray()),
            (int)TensorProto.Types.DataType.Bool or (int)TensorProto.Types.DataType.Uint8 => raw.Length > 0
                ? torch.tensor(raw.ToArray())
                : torch.tensor(t.Int32Data.Select(v => (byte)v).ToArray()),
            _ => throw new VerifyException($"tensor '{t.Name}' has ONNX element type {t.DataType}, which is not supported"),
        };
        if (t.DataType == (int)TensorProto.Types.DataType.Bool) result = result.to_type(ScalarType.Bool);
        return result.reshape(shape).to(device);
    }

    /// <summary>
    /// The number of elements of <paramref name="t"/>, after checking, before anything is allocated, that its
    /// dimensions are non-negative with a product inside int64 and that its data (raw or typed) holds exactly that
    /// many values of its element type.
    /// </summary>
    public static long CheckedCount(TensorProto t)
    {
        long count;
        try
        {
            count = OnnxShapes.Numel(t.Dims);
        }
        catch (VerifyException e)
        {
            throw new VerifyException($"tensor '{t.Name}': {e.Message}");
        }
        int size = t.DataType switch
        {
            (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Int32 => 4,
            (int)TensorProto.Types.DataType.Double or (int)TensorProto.Types.DataType.Int64 => 8,
            (int)TensorProto.Types.DataType.Bool or (int)TensorProto.Types.DataType.Uint8 => 1,
            _ => throw new VerifyException($"tensor '{t.Name}' has ONNX element type {t.DataType}, which is not supported"),
        };
        long stored = t.RawData.Length > 0 ? t.RawData.Length : t.DataType switch
        {
            (int)TensorProto.Types.DataType.Float => 4L * t.FloatData.Count,
            (int)TensorProto.Types.DataType.Double => 8L * t.DoubleData.Count,
            (int)TensorProto.Types.DataType.Int64 => 8L * t.Int64Data.Count,
            _ => (long)size * t.Int32Data.Count,
        };
        if (count > long.MaxValue / size || stored != count * size)
            throw new VerifyException(
                $"tensor '{t.Name}' of shape [{string.Join(",", t.Dims)}] needs {count} values but holds {stored / size}{(stored % size != 0 ? $" and {stored % size} stray byte(s)" : "")}");
        return count;
    }

    /// <summary>A TensorProto (float32, float64 or int64) holding a copy of <paramref name="value"/>.</summary>
    public static TensorProto FromTensor(string name, Tensor value)
    {
        var t = new TensorProto { Name = name };
        t.Dims.AddRange(value.shape);
        var cpu = value.detach().cpu().contiguous();
        switch (cpu.dtype)
        {
            case ScalarType.Float32:
                t.DataType = (int)TensorProto.Types.DataType.Float;
                t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
                break;
            case ScalarType.Float64:
                t.DataType = (int)TensorProto.Types.DataType.Double;
                t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.data<double>().ToArray().AsSpan()));
                break;
            case ScalarType.Int64:
                t.DataType = (int)TensorProto.Types.DataType.Int64;
                t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.data<long>().ToArray().AsSpan()));
                break;
            default:
                throw new ArgumentException($"cannot store a {cpu.dtype} tensor in ONNX here");
        }
        return t;
    }
}
