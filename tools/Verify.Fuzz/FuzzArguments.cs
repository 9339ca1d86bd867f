using System.Globalization;
using Verify.Fuzz.Inputs;

namespace Verify.Fuzz.Tool;

/// <summary>The fuzz tool's command line: --target vnnlib|onnx|all --count N --seed S [--timeout-ms T] [--max-memory-mb M] [--out DIR] [--examples DIR].</summary>
public sealed record FuzzArguments(IReadOnlyList<FuzzTarget> Targets, int Count, int Seed, int TimeoutMs, int MaxMemoryMb, string OutDir, string? Examples)
{
    /// <summary>The usage line.</summary>
    public const string Usage = "usage: Verify.Fuzz --target vnnlib|onnx|all [--count 10000] [--seed 1] [--timeout-ms 5000] [--max-memory-mb 1024] [--out fuzz-failures] [--examples DIR]\n       Verify.Fuzz --replay FILE.onnx|FILE.vnnlib";

    /// <summary>Reads the arguments; an <see cref="ArgumentException"/> with a readable message on a bad one.</summary>
    public static FuzzArguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            values[args[i][2..]] = args[++i];
        }
        foreach (var key in values.Keys)
            if (key is not ("target" or "count" or "seed" or "timeout-ms" or "max-memory-mb" or "out" or "examples"))
                throw new ArgumentException($"unknown option --{key}");
        var target = values.GetValueOrDefault("target") ?? throw new ArgumentException("--target is required");
        IReadOnlyList<FuzzTarget> targets = target switch
        {
            "vnnlib" => new[] { FuzzTarget.Vnnlib },
            "onnx" => new[] { FuzzTarget.Onnx },
            "all" => new[] { FuzzTarget.Vnnlib, FuzzTarget.Onnx },
            _ => throw new ArgumentException($"--target must be vnnlib, onnx or all, not '{target}'"),
        };
        int Int(string name, int fallback)
        {
            if (!values.TryGetValue(name, out var text)) return fallback;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 0)
                throw new ArgumentException($"--{name} must be a non-negative integer, not '{text}'");
            return v;
        }
        return new FuzzArguments(targets, Int("count", 10_000), Int("seed", 1), Int("timeout-ms", 5000), Int("max-memory-mb", 1024),
            values.GetValueOrDefault("out") ?? "fuzz-failures", values.GetValueOrDefault("examples"));
    }
}
