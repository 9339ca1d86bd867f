namespace Verify.Fuzz.Seeds;

/// <summary>A valid VNNLIB text to mutate, with the network sizes it is read against.</summary>
/// <param name="Name">The file or built property it came from.</param>
/// <param name="Text">The property.</param>
/// <param name="InputSize">Number of network inputs.</param>
/// <param name="OutputSize">Number of network outputs.</param>
public sealed record VnnlibSeed(string Name, string Text, int InputSize, int OutputSize);
