using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies;

/// <summary>
/// The synthetic data of the Lipschitz study (LipMIP, Jordan and Dimakis 2020; Shi et al. 2022): points uniform in
/// [0, 1]^d, each labelled with the class of its nearest "leader" among random leaders that carry random classes.
/// </summary>
public static class SyntheticLeaders
{
    /// <summary>Points [count, dimension] and labels [count] (int64), from the seed.</summary>
    public static (Tensor X, Tensor Y) Generate(int count = 10_000, int dimension = 16, int leaders = 80, int classes = 10, int seed = 0)
    {
        var gen = new Generator((ulong)seed + 17);
        var centres = rand(leaders, dimension, generator: gen, dtype: ScalarType.Float32, device: CPU);
        var leaderClass = randint(classes, new long[] { leaders }, generator: gen, dtype: ScalarType.Int64, device: CPU);
        var x = rand(count, dimension, generator: gen, dtype: ScalarType.Float32, device: CPU);
        var nearest = cdist(x, centres).argmin(1);
        return (x, leaderClass.index_select(0, nearest));
    }
}
