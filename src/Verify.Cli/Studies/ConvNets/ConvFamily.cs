namespace Verify.Cli.Studies.ConvNets;

/// <summary>Which of the two input shapes of a family.</summary>
public enum StudyShape
{
    /// <summary>1x3x32x32, CIFAR's shape.</summary>
    Cifar,
    /// <summary>1x1x8x8: a few dozen to a few hundred ReLUs, small enough for the exact MIP.</summary>
    Small,
}

/// <summary>A network family of the conv study: its layers at both shapes, and whether its weights are trained.</summary>
/// <param name="Name">The family's name (`--families`).</param>
/// <param name="Trained">False for random (He-scaled) weights.</param>
/// <param name="CifarLayers">The layers at 3x32x32.</param>
/// <param name="SmallLayers">The layers at 1x8x8.</param>
public sealed record ConvFamily(string Name, bool Trained, FamilyLayer[] CifarLayers, FamilyLayer[] SmallLayers)
{
    /// <summary>The layers at a shape.</summary>
    public FamilyLayer[] Layers(StudyShape shape) => shape == StudyShape.Cifar ? CifarLayers : SmallLayers;

    /// <summary>The input (channels, height, width) of a shape.</summary>
    public static (int C, int H, int W) Input(StudyShape shape) => shape == StudyShape.Cifar ? (3, 32, 32) : (1, 8, 8);
}

/// <summary>The families of the conv study (issue 15, item 2).</summary>
public static class ConvFamilies
{
    static readonly ReluLayerSpec R = new();

    static FamilyLayer[] Residual(int blocks) => Enumerable.Range(0, blocks).Select(_ => (FamilyLayer)new ResidualLayerSpec()).ToArray();

    static FamilyLayer[] Concat(params object[] parts) =>
        parts.SelectMany(p => p is FamilyLayer[] a ? a : new[] { (FamilyLayer)p }).ToArray();

    /// <summary>conv: Conv 16 4x4/2 → ReLU → Conv 32 4x4/2 → ReLU → 100 → ReLU → 10 (small: Conv 4 3x3/2, Conv 8 3x3/2, 16).</summary>
    static readonly FamilyLayer[] ConvCifar = { new ConvLayerSpec(16, 4, 2, 1), R, new ConvLayerSpec(32, 4, 2, 1), R, new DenseLayerSpec(100), R, new DenseLayerSpec(10) };

    static readonly FamilyLayer[] ConvSmall = { new ConvLayerSpec(4, 3, 2, 1), R, new ConvLayerSpec(8, 3, 2, 1), R, new DenseLayerSpec(16), R, new DenseLayerSpec(10) };

    static FamilyLayer[] ResNetCifar(int blocks) => Concat(new ConvLayerSpec(8, 3, 2, 1), R, Residual(blocks), new DenseLayerSpec(100), R, new DenseLayerSpec(10));

    static FamilyLayer[] ResNetSmall(int blocks) => Concat(new ConvLayerSpec(2, 3, 2, 1), R, Residual(blocks), new DenseLayerSpec(10));

    /// <summary>Every family, in report order.</summary>
    public static IReadOnlyList<ConvFamily> All { get; } = new[]
    {
        new ConvFamily("conv", true, ConvCifar, ConvSmall),
        new ConvFamily("conv-random", false, ConvCifar, ConvSmall),
        new ConvFamily("resnet2", true, ResNetCifar(2), ResNetSmall(2)),
        new ConvFamily("resnet4", true, ResNetCifar(4), ResNetSmall(4)),
        new ConvFamily("bnavg", true,
            new FamilyLayer[] { new ConvLayerSpec(16, 4, 2, 1), new BatchNormLayerSpec(), R, new AvgPoolLayerSpec(2), new ConvLayerSpec(32, 3, 1, 1), new BatchNormLayerSpec(), R, new AvgPoolLayerSpec(2), new DenseLayerSpec(100), R, new DenseLayerSpec(10) },
            new FamilyLayer[] { new ConvLayerSpec(3, 3, 1, 0), new BatchNormLayerSpec(), R, new AvgPoolLayerSpec(2), new DenseLayerSpec(16), R, new DenseLayerSpec(10) }),
        new ConvFamily("maxpool", true,
            new FamilyLayer[] { new ConvLayerSpec(16, 4, 2, 1), R, new MaxPoolLayerSpec(2), new ConvLayerSpec(32, 3, 1, 1), R, new MaxPoolLayerSpec(2), new DenseLayerSpec(100), R, new DenseLayerSpec(10) },
            new FamilyLayer[] { new ConvLayerSpec(3, 3, 1, 0), R, new MaxPoolLayerSpec(2), new DenseLayerSpec(16), R, new DenseLayerSpec(10) }),
    };

    /// <summary>The family called <paramref name="name"/>; a user error naming the known ones otherwise.</summary>
    public static ConvFamily Named(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new VerifyException($"unknown family '{name}' (known: {string.Join(", ", All.Select(f => f.Name))})");
}
