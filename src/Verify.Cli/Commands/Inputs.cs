using Verify.Graph;
using Verify.Import;
using Verify.Spec;

namespace Verify.Cli.Commands;

/// <summary>Loads the files a command names, turning every problem into one readable user error.</summary>
public static class Inputs
{
    /// <summary>The network of an ONNX file.</summary>
    public static ComputationGraph Model(string path)
    {
        if (!File.Exists(path)) throw new VerifyException($"model file not found: {path}");
        return OnnxImporter.Load(path);
    }

    /// <summary>The property of a VNNLIB file, checked against the network's sizes.</summary>
    public static VnnProperty Property(string path, ComputationGraph graph)
    {
        if (!File.Exists(path)) throw new VerifyException($"property file not found: {path}");
        var (inputs, outputs) = NetworkSizes.Of(graph);
        return VnnlibReader.Load(path, inputs, outputs);
    }
}
