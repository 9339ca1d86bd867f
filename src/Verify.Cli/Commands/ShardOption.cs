using System.CommandLine;
using Verify.Benchmarks;

namespace Verify.Cli.Commands;

/// <summary>The --shard I/N option of the commands whose work can be split among processes.</summary>
public static class ShardOption
{
    /// <summary>Creates the option; <paramref name="what"/> says how the work is divided.</summary>
    public static Option<string?> Create(string what) => new("--shard")
    {
        Description = $"Run only shard I of N (0 <= I < N) of the {what}. Without it, SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT " +
                      $"(Slurm job arrays) or JOB_COMPLETION_INDEX/{ShardSource.CountVariable} (Kubernetes Indexed Jobs) are used when set",
        HelpName = "I/N",
    };
}
