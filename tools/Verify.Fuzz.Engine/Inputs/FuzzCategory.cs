namespace Verify.Fuzz.Inputs;

/// <summary>The kind of mutation that produced a fuzz input; each is counted separately.</summary>
public enum FuzzCategory
{
    /// <summary>Random bits of the file flipped.</summary>
    BitFlip,

    /// <summary>The file cut at a protobuf field boundary or a token/parenthesis boundary (or next to one).</summary>
    Truncation,

    /// <summary>Huge or negative dimensions (ONNX) or variable indices (VNNLIB).</summary>
    HugeDimensions,

    /// <summary>Dimensions whose product, or indices and numbers that, overflow int64.</summary>
    Int64Overflow,

    /// <summary>NaN, infinite and out-of-range (1e400) literals.</summary>
    NonFiniteLiterals,

    /// <summary>10^5-deep nesting: parentheses in VNNLIB; long node chains and nested sub-graphs in ONNX.</summary>
    DeepNesting,

    /// <summary>Tensors declared huge (200 MB) with little or no data, and raw data of the wrong size.</summary>
    HugeDeclaredTensor,

    /// <summary>Graphs whose nodes feed themselves or each other in a cycle.</summary>
    CyclicGraph,

    /// <summary>Missing node inputs, graph inputs, outputs, initializers (ONNX) or declarations (VNNLIB).</summary>
    MissingInputs,

    /// <summary>Duplicate node, value and initializer names (ONNX) or declarations (VNNLIB).</summary>
    DuplicateNames,

    /// <summary>Initializers whose shape no longer fits their data or their node (ONNX); wrong network sizes (VNNLIB).</summary>
    WrongSizes,

    /// <summary>Unknown operator types and domains (ONNX).</summary>
    UnsupportedOperators,

    /// <summary>Attribute values out of range, of the wrong length or the wrong type (ONNX).</summary>
    AttributeValues,

    /// <summary>Formulas whose disjunctive normal form explodes, or has very many input boxes (VNNLIB).</summary>
    DnfExplosion,

    /// <summary>Tokens deleted, duplicated, swapped or replaced by other operators (VNNLIB).</summary>
    TokenSplice,
}
