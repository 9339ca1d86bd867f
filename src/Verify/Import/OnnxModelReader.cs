using Google.Protobuf;
using Verify.Import.Proto;

namespace Verify.Import;

/// <summary>Reads an ONNX file into its protobuf model, turning every failure into one readable user error.</summary>
public static class OnnxModelReader
{
    /// <summary>The model stored in <paramref name="path"/>.</summary>
    public static ModelProto Load(string path)
    {
        if (!File.Exists(path)) throw new VerifyException($"model file not found: {path}");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new VerifyException($"{path}: cannot read the file: {e.Message}");
        }
        return Parse(bytes, path);
    }

    /// <summary>The model encoded in <paramref name="bytes"/>; <paramref name="source"/> names it in messages.</summary>
    public static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new VerifyException($"{source}: not a valid ONNX model (protobuf: {e.Message})");
        }
        if (model.Graph is null || (model.Graph.Node.Count == 0 && model.Graph.Input.Count == 0))
            throw new VerifyException($"{source}: not a valid ONNX model (no graph)");
        return model;
    }
}
