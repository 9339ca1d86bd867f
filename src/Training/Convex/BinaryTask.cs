using TorchSharp;
using Verify.Training.Data;
using static TorchSharp.torch;

namespace Verify.Training.Convex;

/// <summary>A two-digit MNIST task: images of digits A and B only, labelled 0 (A) and 1 (B).</summary>
public sealed record BinaryTask(int First, int Second)
{
    /// <summary>Parses "A,B" (two distinct digits 0-9); a one-line <see cref="VerifyException"/> otherwise.</summary>
    public static BinaryTask Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out int a) || !int.TryParse(parts[1], out int b) || a is < 0 or > 9 || b is < 0 or > 9)
            throw new VerifyException($"--classes must be two digits 0-9 separated by a comma (e.g. 3,8), got '{text}'");
        if (a == b) throw new VerifyException($"--classes needs two distinct digits, got '{text}'");
        return new BinaryTask(a, b);
    }

    /// <summary>The images of the two digits, in their original order, with labels 0 and 1.</summary>
    public ImageSet Filter(ImageSet set)
    {
        using var scope = torch.NewDisposeScope();
        var keep = set.Labels.eq(First).logical_or(set.Labels.eq(Second)).nonzero().reshape(-1);
        var images = set.Images.index_select(0, keep);
        var labels = set.Labels.index_select(0, keep).eq(Second).to(ScalarType.Int64);
        return new ImageSet(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public override string ToString() => $"{First},{Second}";
}
