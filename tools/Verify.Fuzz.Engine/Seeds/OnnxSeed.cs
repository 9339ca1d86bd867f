using Verify.Import.Proto;

namespace Verify.Fuzz.Seeds;

/// <summary>A valid ONNX model to mutate, with a property that fits it.</summary>
/// <param name="Name">The file or built model it came from.</param>
/// <param name="Model">The parsed model (mutations work on clones).</param>
/// <param name="Bytes">The model as serialised.</param>
/// <param name="Spec">A VNNLIB property declaring exactly the model's inputs and outputs.</param>
public sealed record OnnxSeed(string Name, ModelProto Model, byte[] Bytes, string Spec);
