using System.Text;
using Verify.Fuzz.Inputs;
using Verify.Import;
using Verify.Spec;

namespace Verify.Fuzz.Running;

/// <summary>What the program does with a file of each target, up to the point where the verifier would start.</summary>
public static class ParserTargets
{
    /// <summary>Parses or imports the input; throws whatever the parsers throw.</summary>
    public static void Run(FuzzInput input)
    {
        if (input.Target == FuzzTarget.Vnnlib)
        {
            VnnlibReader.Parse(Encoding.UTF8.GetString(input.Data), "fuzz.vnnlib", input.InputSize, input.OutputSize);
            return;
        }
        // As `verify check` does: import, then read the property against the imported network's sizes.
        var graph = OnnxImporter.Import(OnnxModelReader.Parse(input.Data, "fuzz.onnx"), "fuzz.onnx");
        var (inputs, outputs) = NetworkSizes.Of(graph);
        VnnlibReader.Parse(input.Spec ?? "", "fuzz.vnnlib", inputs, outputs);
    }
}
