using Verify.Benchmarks;

namespace Verify.Tests.Benchmarks;

/// <summary>Instances are divided among shards by their time limits, deterministically, each in exactly one shard.</summary>
public class ShardAssignmentTests
{
    static BenchmarkInstance Inst(string onnx, string vnnlib, double timeout) => new("bench", $"/data/{onnx}", $"/data/{vnnlib}", timeout);

    static IReadOnlyList<BenchmarkInstance> RandomList(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => Inst($"net_{rng.Next(5)}.onnx", $"prop_{i}.vnnlib", rng.Next(1, 300))).ToArray();
    }

    [Test]
    public void LongestFirstGoesToTheLeastLoadedShard()
    {
        // By hand: 7→s0, 6→s1, 5→s2, 4→s2 (least load 5), 3→s1 (6), 2→s0 (7): loads 9, 9, 9.
        var shards = ShardAssignment.Assign([7, 6, 5, 4, 3, 2], ["a", "b", "c", "d", "e", "f"], 3);
        Assert.That(shards, Is.EqualTo(new[] { 0, 1, 2, 2, 1, 0 }));
    }

    [Test]
    public void OneLongInstanceBalancesTenShortOnes()
    {
        // 100 s alone on one shard, ten 10 s instances on the other: equal time, unequal counts.
        var list = new[] { Inst("n.onnx", "long.vnnlib", 100) }
            .Concat(Enumerable.Range(0, 10).Select(i => Inst("n.onnx", $"short_{i}.vnnlib", 10))).ToArray();
        var a = ShardAssignment.Select(list, new Shard(0, 2, "test"));
        var b = ShardAssignment.Select(list, new Shard(1, 2, "test"));
        Assert.That(a.Select(i => i.TimeoutSeconds).Sum(), Is.EqualTo(100));
        Assert.That(b.Select(i => i.TimeoutSeconds).Sum(), Is.EqualTo(100));
        Assert.That((a.Count, b.Count), Is.EqualTo((1, 10)));
    }

    [Test]
    public void EqualTimeLimitsGoByKey()
    {
        var shards = ShardAssignment.Assign([1, 1, 1], ["b", "a", "c"], 3);
        Assert.That(shards, Is.EqualTo(new[] { 1, 0, 2 }));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(7)]
    [TestCase(64)]
    public void EveryInstanceIsInExactlyOneShard(int count)
    {
        var list = RandomList(50, count);
        var parts = Enumerable.Range(0, count).Select(i => ShardAssignment.Select(list, new Shard(i, count, "test"))).ToArray();
        Assert.That(parts.Sum(p => p.Count), Is.EqualTo(list.Count));
        Assert.That(parts.SelectMany(p => p), Is.EquivalentTo(list));
        foreach (var p in parts) Assert.That(p, Is.EqualTo(list.Where(p.Contains).ToArray()), "list order is kept");
    }

    [Test]
    public void TheAssignmentDependsOnlyOnTheInstancesNotOnTheirOrder()
    {
        var list = RandomList(40, 3);
        var shuffled = list.OrderBy(_ => Guid.NewGuid()).ToArray();
        Dictionary<string, int> Owners(IReadOnlyList<BenchmarkInstance> l) => Enumerable.Range(0, 4)
            .SelectMany(s => ShardAssignment.Select(l, new Shard(s, 4, "test")).Select(i => (i.Vnnlib, s)))
            .ToDictionary(p => p.Vnnlib, p => p.s);
        Assert.That(Owners(shuffled), Is.EquivalentTo(Owners(list)));
        Assert.That(Owners(list), Is.EquivalentTo(Owners(list)));
    }

    [Test]
    public void ShardLoadsStayWithinTheLongestInstanceOfEachOther()
    {
        var list = RandomList(200, 9);
        var loads = Enumerable.Range(0, 8).Select(s => ShardAssignment.Select(list, new Shard(s, 8, "test")).Sum(i => i.TimeoutSeconds)).ToArray();
        // Greedy LPT: a shard is only ever given work while it is the least loaded one.
        Assert.That(loads.Max() - loads.Min(), Is.LessThanOrEqualTo(list.Max(i => i.TimeoutSeconds)));
    }

    [Test]
    public void TheWholeRunKeepsEverything()
    {
        var list = RandomList(10, 1);
        Assert.That(ShardAssignment.Select(list, Shard.Whole), Is.EqualTo(list));
    }

    [TestCase(1000, 200, 3, new long[] { 0, 200, 200, 600, 600, 1000 })]
    [TestCase(950, 200, 3, new long[] { 0, 200, 200, 600, 600, 950 })]
    [TestCase(100, 200, 2, new long[] { 0, 0, 0, 100 })]
    public void ImageRangesAreWholeBatches(long total, int block, int count, long[] expected)
    {
        var ranges = Enumerable.Range(0, count).SelectMany(i =>
        {
            var (s, e) = ShardAssignment.Range(total, block, new Shard(i, count, "test"));
            return new[] { s, e };
        });
        Assert.That(ranges, Is.EqualTo(expected));
    }

    [Test]
    public void ImageRangesCoverEveryIndexOnce()
    {
        foreach (var (total, block, count) in new[] { (10000L, 200, 7), (1L, 1, 3), (12345L, 100, 64), (999L, 1000, 2) })
        {
            long next = 0;
            for (int i = 0; i < count; i++)
            {
                var (s, e) = ShardAssignment.Range(total, block, new Shard(i, count, "test"));
                Assert.That(s, Is.EqualTo(next), $"{total}/{block}/{count} shard {i} starts where the previous ended");
                Assert.That(s % block == 0 || s == total, Is.True, "shards start on a batch boundary");
                next = e;
            }
            Assert.That(next, Is.EqualTo(total));
        }
    }
}
