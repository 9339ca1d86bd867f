namespace Verify.Cli.Studies.ConvNets;

/// <summary>One layer of a conv-study network, in the order it runs.</summary>
public abstract record FamilyLayer;

/// <summary>A 2-D convolution with square kernel, stride and padding (ONNX Conv).</summary>
public sealed record ConvLayerSpec(int Channels, int Kernel, int Stride, int Padding) : FamilyLayer;

/// <summary>ReLU (ONNX Relu).</summary>
public sealed record ReluLayerSpec : FamilyLayer;

/// <summary>BatchNorm over the channels (ONNX BatchNormalization, running statistics in the file).</summary>
public sealed record BatchNormLayerSpec : FamilyLayer;

/// <summary>Average pooling, kernel = stride (ONNX AveragePool).</summary>
public sealed record AvgPoolLayerSpec(int Kernel) : FamilyLayer;

/// <summary>Max pooling, kernel = stride (ONNX MaxPool).</summary>
public sealed record MaxPoolLayerSpec(int Kernel) : FamilyLayer;

/// <summary>
/// A residual block of the input's channel count: Conv 3x3 (pad 1) → Relu → Conv 3x3 (pad 1) → Add(input) → Relu.
/// </summary>
public sealed record ResidualLayerSpec : FamilyLayer;

/// <summary>A dense layer (ONNX Gemm, transB = 1); a Flatten comes first when the input is an image.</summary>
public sealed record DenseLayerSpec(int Width) : FamilyLayer;
