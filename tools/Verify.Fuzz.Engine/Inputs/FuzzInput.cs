namespace Verify.Fuzz.Inputs;

/// <summary>One generated input: the bytes of a file and what to read it against.</summary>
/// <param name="Target">The parser it is fed to.</param>
/// <param name="Index">Its index in the run (with the run's seed it regenerates the input).</param>
/// <param name="Category">The mutation that produced it.</param>
/// <param name="Seed">The name of the file or built model it was mutated from.</param>
/// <param name="Data">The file's bytes (UTF-8 text for VNNLIB, protobuf for ONNX).</param>
/// <param name="Note">What the mutation did, for reproduction.</param>
/// <param name="InputSize">VNNLIB: the number of network inputs the text is read against.</param>
/// <param name="OutputSize">VNNLIB: the number of network outputs the text is read against.</param>
/// <param name="Spec">ONNX: the seed network's property, shape-checked against the imported graph.</param>
public sealed record FuzzInput(FuzzTarget Target, int Index, FuzzCategory Category, string Seed, byte[] Data, string Note,
    int InputSize = 0, int OutputSize = 0, string? Spec = null);
