namespace Verify.Fuzz.Inputs;

/// <summary>The parser a fuzz input is fed to.</summary>
public enum FuzzTarget
{
    /// <summary>The VNNLIB reader (text against given network sizes).</summary>
    Vnnlib,

    /// <summary>The ONNX reader and importer, then the property's shape check against the imported graph.</summary>
    Onnx,
}
