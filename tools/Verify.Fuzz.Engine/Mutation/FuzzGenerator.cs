using Verify.Fuzz.Inputs;
using Verify.Fuzz.Seeds;

namespace Verify.Fuzz.Mutation;

/// <summary>
/// Generates the inputs of a run: input <c>i</c> of a target depends only on the seed corpus, the run's seed and
/// <c>i</c>, and the categories take turns, so every category gets the same share.
/// </summary>
public sealed class FuzzGenerator
{
    readonly FuzzTarget target;
    readonly int seed;
    readonly VnnlibMutator vnnlib;
    readonly OnnxMutator onnx;

    /// <summary>A generator for one target.</summary>
    public FuzzGenerator(FuzzTarget target, int seed, SeedCorpus corpus)
    {
        this.target = target;
        this.seed = seed;
        vnnlib = new VnnlibMutator(corpus.Vnnlib);
        onnx = new OnnxMutator(corpus.Onnx);
    }

    /// <summary>The categories of a target, in turn order.</summary>
    public static IReadOnlyList<FuzzCategory> CategoriesOf(FuzzTarget target) =>
        target == FuzzTarget.Vnnlib ? VnnlibMutator.Categories : OnnxMutator.Categories;

    /// <summary>Input number <paramref name="index"/>.</summary>
    public FuzzInput Generate(int index)
    {
        var categories = CategoriesOf(target);
        var category = categories[index % categories.Count];
        var rng = new Random(Mix(seed, index, (int)target));
        return target == FuzzTarget.Vnnlib ? vnnlib.Mutate(index, category, rng) : onnx.Mutate(index, category, rng);
    }

    /// <summary>A deterministic (unlike <see cref="HashCode"/>) mix of the three numbers (SplitMix64's finaliser).</summary>
    static int Mix(int seed, int index, int target)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)index * 0xBF58476D1CE4E5B9UL + (ulong)target);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31)) & int.MaxValue;
    }
}
