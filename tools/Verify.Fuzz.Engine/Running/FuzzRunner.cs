using System.Diagnostics;
using Verify.Fuzz.Inputs;
using static TorchSharp.torch;

namespace Verify.Fuzz.Running;

/// <summary>
/// Runs inputs one at a time on a worker thread, watching the working set while it runs. An input fails the time
/// limit when its thread used more CPU than the limit (wall time is what a loaded machine makes of it), or when it
/// is still running at the wall-clock cap: then the worker is abandoned (it is a background thread) and the run
/// goes on.
/// </summary>
public sealed class FuzzRunner(FuzzOptions options)
{
    /// <summary>Workers abandoned at their deadline and still running.</summary>
    public int HungWorkers => hung.Count(t => t.IsAlive);

    readonly List<Thread> hung = new();

    /// <summary>Runs one input.</summary>
    public FuzzResult Run(FuzzInput input)
    {
        Exception? error = null;
        double? cpu = null;
        var done = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            var start = ThreadCpuTime.Seconds();
            try
            {
                using var scope = NewDisposeScope();
                ParserTargets.Run(input);
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                cpu = ThreadCpuTime.Seconds() - start;
                done.Set();
            }
        }, options.StackBytes) { IsBackground = true, Name = $"fuzz-{input.Index}" };

        long baseline = Environment.WorkingSet, peak = baseline;
        var clock = Stopwatch.StartNew();
        worker.Start();
        while (!done.Wait(10))
        {
            peak = Math.Max(peak, Environment.WorkingSet);
            if (clock.ElapsedMilliseconds > options.WallCapMs) break;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        peak = Math.Max(peak, Environment.WorkingSet);
        double growth = (peak - baseline) / (1024.0 * 1024.0);
        if (!done.IsSet)
        {
            hung.Add(worker);
            return new FuzzResult(input, FuzzOutcome.Timeout, $"still running after {options.WallCapMs} ms", seconds, growth, null);
        }
        var (outcome, message) = error switch
        {
            null => (FuzzOutcome.Accepted, ""),
            VerifyException v => (FuzzOutcome.UserError, v.Message),
            _ => (FuzzOutcome.OtherException, $"{error.GetType().Name}: {error.Message}"),
        };
        double used = cpu ?? seconds;
        if (used * 1000 > options.TimeoutMs)
            return new FuzzResult(input, FuzzOutcome.Timeout, $"used {used:F2} s of {(cpu is null ? "wall" : "CPU")} time ({outcome}: {message})", seconds, growth, cpu);
        if (growth > options.MaxMemoryMb)
            return new FuzzResult(input, FuzzOutcome.OverMemory, $"grew by {growth:F0} MiB ({outcome}: {message})", seconds, growth, cpu);
        return new FuzzResult(input, outcome, message, seconds, growth, cpu);
    }
}
