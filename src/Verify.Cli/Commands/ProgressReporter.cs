using Spectre.Console;

namespace Verify.Cli.Commands;

/// <summary>
/// A progress display for long loops: a Spectre.Console bar (description, percentage, elapsed, ETA) on a terminal,
/// plain log lines (about every tenth of the work) when the output is redirected.
/// </summary>
public static class ProgressReporter
{
    /// <summary>
    /// Writes a log line: through Spectre.Console on a terminal (above a live progress bar), unwrapped with
    /// <see cref="Console.WriteLine(string)"/> when the output is redirected.
    /// </summary>
    public static void Log(string line)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive) Console.WriteLine(line);
        else AnsiConsole.WriteLine(line);
    }

    /// <summary>Runs <paramref name="work"/> with an update callback (done, total, description).</summary>
    public static void Run(string title, Action<Action<double, double, string>> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var start = DateTime.UtcNow;
            int lastDecile = -1;
            work((done, total, text) =>
            {
                int decile = total > 0 ? (int)(10 * done / total) : 0;
                if (decile == lastDecile) return;
                lastDecile = decile;
                double elapsed = (DateTime.UtcNow - start).TotalSeconds;
                string eta = done > 0 && done < total ? $", ETA {elapsed * (total - done) / done:F0} s" : "";
                Console.WriteLine($"{title}: {100 * done / Math.Max(1, total):F0}% {text} ({elapsed:F0} s{eta})");
            });
            return;
        }
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                work((done, total, text) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                    task.Description = Markup.Escape($"{title} {text}");
                });
            });
    }
}
