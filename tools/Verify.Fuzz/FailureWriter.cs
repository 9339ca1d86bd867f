using Verify.Fuzz.Inputs;
using Verify.Fuzz.Running;

namespace Verify.Fuzz.Tool;

/// <summary>Writes each failing input (and what it was read against) to a folder, for reproduction.</summary>
public sealed class FailureWriter(string folder, int seed)
{
    /// <summary>Writes the input as INDEX_CATEGORY.onnx|vnnlib with a .txt beside it; returns the file's path.</summary>
    public string Write(FuzzResult r)
    {
        Directory.CreateDirectory(folder);
        var input = r.Input;
        var stem = Path.Combine(folder, $"{input.Target.ToString().ToLowerInvariant()}_{input.Index:D5}_{input.Category}");
        var path = stem + (input.Target == FuzzTarget.Onnx ? ".onnx" : ".vnnlib");
        File.WriteAllBytes(path, input.Data);
        if (input.Spec is not null) File.WriteAllText(stem + ".spec.vnnlib", input.Spec);
        File.WriteAllText(stem + ".txt",
            $"target {input.Target}, seed {seed}, index {input.Index}, category {input.Category}\n" +
            $"from {input.Seed}: {input.Note}\n" +
            (input.Target == FuzzTarget.Vnnlib ? $"read with {input.InputSize} inputs, {input.OutputSize} outputs\n" : "") +
            $"outcome {r.Outcome} after {r.Seconds:F2} s, +{r.MemoryGrowthMb:F0} MiB: {r.Message}\n");
        return path;
    }
}
