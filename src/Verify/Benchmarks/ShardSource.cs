using System.Globalization;

namespace Verify.Benchmarks;

/// <summary>
/// Which shard this process runs: the <c>--shard I/N</c> option, else a Slurm job array
/// (<c>SLURM_ARRAY_TASK_ID</c> − <c>SLURM_ARRAY_TASK_MIN</c> of <c>SLURM_ARRAY_TASK_COUNT</c>), else a Kubernetes Indexed Job
/// (<c>JOB_COMPLETION_INDEX</c> of <c>VERIFY_SHARD_COUNT</c>), else the whole run.
/// </summary>
public static class ShardSource
{
    /// <summary>Environment variable giving the shard count of a Kubernetes Indexed Job (set it to the Job's <c>completions</c>).</summary>
    public const string CountVariable = "VERIFY_SHARD_COUNT";

    /// <summary>
    /// The shard for <paramref name="option"/> (the <c>--shard</c> value, or null) and the environment read through
    /// <paramref name="environment"/>; a <see cref="VerifyException"/> for malformed or out-of-range values.
    /// </summary>
    public static Shard Resolve(string? option, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(option)) return Shard.Parse(option.Trim(), "--shard");
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;
        if (Env("SLURM_ARRAY_TASK_ID") is { } task)
        {
            var count = Env("SLURM_ARRAY_TASK_COUNT")
                ?? throw new VerifyException("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
            int offset = 0;
            if (Env("SLURM_ARRAY_TASK_MIN") is { } min &&
                !int.TryParse(min, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                throw new VerifyException($"SLURM_ARRAY_TASK_MIN must be a whole number, got '{min}'");
            return Shard.Of(task, count, "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT", offset);
        }
        if (Env("JOB_COMPLETION_INDEX") is { } index)
        {
            var count = Env(CountVariable)
                ?? throw new VerifyException($"JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) but {CountVariable} is not; set it to the Job's completions");
            return Shard.Of(index, count, $"JOB_COMPLETION_INDEX/{CountVariable}");
        }
        return Shard.Whole;
    }

    /// <summary>The shard for <paramref name="option"/> and this process's environment.</summary>
    public static Shard Resolve(string? option) => Resolve(option, Environment.GetEnvironmentVariable);
}
