using System.Diagnostics;
using System.Text.RegularExpressions;
using Verify.Fuzz.Inputs;
using Verify.Fuzz.Running;

namespace Verify.Fuzz.Tool;

/// <summary>Runs one input written by <see cref="FailureWriter"/> again: `--replay FILE.onnx|FILE.vnnlib`.</summary>
public static class Replay
{
    /// <summary>Runs the file in this thread and prints its outcome and time; returns 0 when it is accepted or a user error.</summary>
    public static int Run(string path)
    {
        var stem = Path.ChangeExtension(path, null);
        var notes = File.Exists(stem + ".txt") ? File.ReadAllText(stem + ".txt") : "";
        var sizes = Regex.Match(notes, @"read with (\d+) inputs, (\d+) outputs");
        var input = path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
            ? new FuzzInput(FuzzTarget.Onnx, 0, FuzzCategory.BitFlip, path, File.ReadAllBytes(path), "replay",
                Spec: File.Exists(stem + ".spec.vnnlib") ? File.ReadAllText(stem + ".spec.vnnlib") : null)
            : new FuzzInput(FuzzTarget.Vnnlib, 0, FuzzCategory.BitFlip, path, File.ReadAllBytes(path), "replay",
                sizes.Success ? int.Parse(sizes.Groups[1].Value) : 784, sizes.Success ? int.Parse(sizes.Groups[2].Value) : 10);
        // A first run loads the native libraries; the second is timed.
        try { ParserTargets.Run(input); } catch (Exception) { }
        var clock = Stopwatch.StartNew();
        try
        {
            ParserTargets.Run(input);
            Console.WriteLine($"accepted in {clock.Elapsed.TotalSeconds:F2} s");
            return 0;
        }
        catch (VerifyException e)
        {
            Console.WriteLine($"user error in {clock.Elapsed.TotalSeconds:F2} s: {e.Message}");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"{e.GetType().Name} in {clock.Elapsed.TotalSeconds:F2} s: {e}");
            return 1;
        }
    }
}
