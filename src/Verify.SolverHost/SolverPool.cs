using System.Diagnostics;

namespace Verify.SolverHost;

/// <summary>
/// Runs solves in reusable worker processes, one solve per worker at a time, started on demand and replaced when one
/// dies. A request goes to an idle worker that already holds its model where there is one. A solve that cannot be
/// carried out (no worker could be started, the worker died or hung) returns <see cref="SolveStatus.Failed"/>, which
/// callers treat as "no information".
/// </summary>
public sealed class SolverPool : IDisposable
{
    readonly object gate = new();
    readonly List<SolverWorker> idle = new();
    readonly HashSet<SolverWorker> busy = new();
    readonly int maxWorkers;
    string? startProblem;
    int faults, started;

    /// <summary>A pool of at most <paramref name="maxWorkers"/> workers (default: twice the processor count, at least 4).</summary>
    public SolverPool(int? maxWorkers = null) => this.maxWorkers = maxWorkers ?? Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>
    /// The process-wide pool, with the isolation chosen by the environment variable VERIFY_SOLVER_ISOLATION
    /// (<c>process</c>, the default, or <c>inprocess</c>).
    /// </summary>
    public static SolverPool Shared => shared.Value;
    static readonly Lazy<SolverPool> shared = new(() => new SolverPool());

    /// <summary>The isolation chosen by VERIFY_SOLVER_ISOLATION.</summary>
    public static SolverIsolation DefaultIsolation { get; } =
        string.Equals(Environment.GetEnvironmentVariable("VERIFY_SOLVER_ISOLATION"), "inprocess", StringComparison.OrdinalIgnoreCase)
            ? SolverIsolation.InProcess : SolverIsolation.Process;

    /// <summary>Solves that ended in a dead or hung worker since the pool was made.</summary>
    public int Faults => Volatile.Read(ref faults);

    /// <summary>Worker processes started since the pool was made.</summary>
    public int WorkersStarted => Volatile.Read(ref started);

    /// <summary>The process ids of the workers now running (for tests that stop one).</summary>
    public IReadOnlyList<int> WorkerProcessIds
    {
        get { lock (gate) return idle.Concat(busy).Where(w => w.Alive).Select(w => w.ProcessId).ToArray(); }
    }

    /// <summary>Solves in a worker. <paramref name="withStructure"/> gives the request with the rows' coefficients.</summary>
    public SolveReply Solve(SolveRequest request, Func<SolveRequest> withStructure, CancellationToken cancel = default)
    {
        if (cancel.IsCancellationRequested) return SolveReply.NotSolved("cancelled");
        var (worker, problem) = Acquire(request.ModelKey);
        if (worker is null) return SolveReply.Fail(problem!);
        SolveReply reply;
        try
        {
            reply = worker.Solve(request, withStructure, cancel);
        }
        finally
        {
            Release(worker);
        }
        if (reply.Status == SolveStatus.Failed) Interlocked.Increment(ref faults);
        return reply;
    }

    (SolverWorker?, string?) Acquire(long key)
    {
        lock (gate)
        {
            while (true)
            {
                idle.RemoveAll(w => !w.Alive);
                var worker = idle.FirstOrDefault(w => w.Holds(key)) ?? idle.LastOrDefault();
                if (worker is not null)
                {
                    idle.Remove(worker);
                    busy.Add(worker);
                    return (worker, null);
                }
                if (startProblem is not null) return (null, startProblem);
                if (busy.Count < maxWorkers) break;
                Monitor.Wait(gate);
            }
        }
        var (start, problem) = WorkerLaunch.StartInfo();
        SolverWorker? created = null;
        try
        {
            if (start is not null) created = SolverWorker.Start(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            problem = $"the solver worker could not be started: {e.Message}";
        }
        lock (gate)
        {
            if (created is null)
            {
                startProblem = problem ?? "the solver worker could not be started";
                Console.Error.WriteLine($"warning: {startProblem}; MIP and LP steps give no information " +
                    "(VERIFY_SOLVER_ISOLATION=inprocess solves in this process instead)");
                return (null, startProblem);
            }
            busy.Add(created);
            started++;
            return (created, null);
        }
    }

    void Release(SolverWorker worker)
    {
        lock (gate)
        {
            busy.Remove(worker);
            if (worker.Alive) idle.Add(worker);
            else worker.Dispose();
            Monitor.PulseAll(gate);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var w in idle) w.Dispose();
            idle.Clear();
        }
    }
}
