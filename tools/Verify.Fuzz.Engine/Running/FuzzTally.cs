using Verify.Fuzz.Inputs;

namespace Verify.Fuzz.Running;

/// <summary>Counts of results per category and outcome (bugs per exception type), with the slowest and largest input.</summary>
public sealed class FuzzTally
{
    readonly Dictionary<(FuzzCategory Category, string Kind), int> counts = new();
    readonly Dictionary<FuzzCategory, double> slowest = new();
    readonly Dictionary<FuzzCategory, double> busiest = new();
    readonly Dictionary<FuzzCategory, string> samples = new();

    /// <summary>Number of results added.</summary>
    public int Total { get; private set; }

    /// <summary>Number of results that were neither accepted nor a user error.</summary>
    public int Failures { get; private set; }

    /// <summary>The longest time of one input, in seconds.</summary>
    public double MaxSeconds { get; private set; }

    /// <summary>The most CPU time of one input, in seconds.</summary>
    public double MaxCpuSeconds { get; private set; }

    /// <summary>The largest memory growth of one input, in MiB.</summary>
    public double MaxMemoryMb { get; private set; }

    /// <summary>Adds a result.</summary>
    public void Add(FuzzResult r)
    {
        var key = (r.Input.Category, r.Kind);
        counts[key] = counts.GetValueOrDefault(key) + 1;
        Total++;
        if (!r.IsClean) Failures++;
        MaxSeconds = Math.Max(MaxSeconds, r.Seconds);
        slowest[r.Input.Category] = Math.Max(slowest.GetValueOrDefault(r.Input.Category), r.Seconds);
        busiest[r.Input.Category] = Math.Max(busiest.GetValueOrDefault(r.Input.Category), r.CpuSeconds ?? 0);
        MaxCpuSeconds = Math.Max(MaxCpuSeconds, r.CpuSeconds ?? 0);
        if (r.Outcome == FuzzOutcome.UserError) samples.TryAdd(r.Input.Category, r.Message);
        MaxMemoryMb = Math.Max(MaxMemoryMb, r.MemoryGrowthMb);
    }

    /// <summary>The count of one category and outcome kind (an outcome name or a bug's exception type).</summary>
    public int Count(FuzzCategory category, string kind) => counts.GetValueOrDefault((category, kind));

    /// <summary>The longest time of one input of a category, in seconds.</summary>
    public double MaxSecondsOf(FuzzCategory category) => slowest.GetValueOrDefault(category);

    /// <summary>The most CPU time of one input of a category, in seconds.</summary>
    public double MaxCpuSecondsOf(FuzzCategory category) => busiest.GetValueOrDefault(category);

    /// <summary>The first user error of a category (empty when there was none).</summary>
    public string SampleOf(FuzzCategory category) => samples.GetValueOrDefault(category, "");

    /// <summary>The categories seen, in enum order.</summary>
    public IEnumerable<FuzzCategory> Categories => counts.Keys.Select(k => k.Category).Distinct().Order();

    /// <summary>The outcome kinds seen: the clean ones first, then bugs by exception type.</summary>
    public IEnumerable<string> Kinds => counts.Keys.Select(k => k.Kind).Distinct()
        .OrderBy(k => k == nameof(FuzzOutcome.Accepted) ? 0 : k == nameof(FuzzOutcome.UserError) ? 1 : 2).ThenBy(k => k, StringComparer.Ordinal);
}
