using Verify.Benchmarks;

namespace Verify.Tests.Benchmarks;

/// <summary>The shard comes from --shard, else the Slurm or Kubernetes array variables; bad values are user errors.</summary>
public class ShardSourceTests
{
    static Shard Resolve(string? option, params (string Name, string Value)[] env)
    {
        var map = env.ToDictionary(e => e.Name, e => e.Value);
        return ShardSource.Resolve(option, n => map.GetValueOrDefault(n));
    }

    [Test]
    public void NothingSetIsTheWholeRun() => Assert.That(Resolve(null), Is.EqualTo(Shard.Whole));

    [Test]
    public void TheOptionWinsOverTheEnvironment()
    {
        var s = Resolve("1/3", ("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "2"));
        Assert.That((s.Index, s.Count, s.Source), Is.EqualTo((1, 3, "--shard")));
    }

    [Test]
    public void SlurmArraysCountFromTheirFirstTask()
    {
        var s = Resolve(null, ("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "3"));
        Assert.That((s.Index, s.Count), Is.EqualTo((2, 4)));
        Assert.That(s.Source, Does.Contain("SLURM_ARRAY_TASK_ID"));
    }

    [Test]
    public void KubernetesIndexedJobsUseTheDocumentedCountVariable()
    {
        var s = Resolve(null, ("JOB_COMPLETION_INDEX", "2"), (ShardSource.CountVariable, "3"));
        Assert.That((s.Index, s.Count), Is.EqualTo((2, 3)));
        Assert.That(s.Source, Does.Contain("JOB_COMPLETION_INDEX"));
    }

    [Test]
    public void SlurmComesBeforeKubernetes()
    {
        var s = Resolve(null, ("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "2"), ("JOB_COMPLETION_INDEX", "0"), (ShardSource.CountVariable, "5"));
        Assert.That((s.Index, s.Count), Is.EqualTo((1, 2)));
    }

    [TestCase("3/3")]
    [TestCase("1/0")]
    [TestCase("0/0")]
    [TestCase("x/2")]
    [TestCase("1/two")]
    [TestCase("-1/2")]
    [TestCase("1")]
    [TestCase("1/2/3")]
    public void BadOptionValuesAreOneLineUserErrors(string value)
    {
        var e = Assert.Throws<VerifyException>(() => Resolve(value))!;
        Assert.That(e.Message, Does.Contain("--shard"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void BadEnvironmentValuesNameTheVariable()
    {
        Assert.That(() => Resolve(null, ("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "4")),
            Throws.TypeOf<VerifyException>().With.Message.Contains("SLURM_ARRAY_TASK_ID"));
        Assert.That(() => Resolve(null, ("SLURM_ARRAY_TASK_ID", "1")),
            Throws.TypeOf<VerifyException>().With.Message.Contains("SLURM_ARRAY_TASK_COUNT"));
        Assert.That(() => Resolve(null, ("JOB_COMPLETION_INDEX", "0")),
            Throws.TypeOf<VerifyException>().With.Message.Contains(ShardSource.CountVariable));
        Assert.That(() => Resolve(null, ("JOB_COMPLETION_INDEX", "zero"), (ShardSource.CountVariable, "2")),
            Throws.TypeOf<VerifyException>().With.Message.Contains("JOB_COMPLETION_INDEX"));
    }
}
