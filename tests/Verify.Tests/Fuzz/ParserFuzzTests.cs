using Verify.Fuzz.Inputs;
using Verify.Fuzz.Mutation;
using Verify.Fuzz.Running;
using Verify.Fuzz.Seeds;
using Verify.Tests.Support;

namespace Verify.Tests.Fuzz;

/// <summary>
/// A seeded sample of the parser fuzzing that tools/Verify.Fuzz runs 10,000 inputs at a time: every mutated input
/// is accepted or ends in a <see cref="VerifyException"/>, within 5 s, with no hang and no other exception.
/// </summary>
public class ParserFuzzTests
{
    static readonly Lazy<SeedCorpus> Corpus = new(() => SeedCorpus.Load(Path.Combine(Paths.Repo, "examples")));

    static void AssertClean(FuzzTarget target, int seed, int count)
    {
        var generator = new FuzzGenerator(target, seed, Corpus.Value);
        var runner = new FuzzRunner(new FuzzOptions(TimeoutMs: 5000, MaxMemoryMb: 1024));
        var tally = new FuzzTally();
        var failures = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var result = runner.Run(generator.Generate(i));
            tally.Add(result);
            if (!result.IsClean) failures.Add($"#{i} {result.Input.Category} from {result.Input.Seed} ({result.Input.Note}): {result.Outcome} {result.Message}");
        }
        Assert.That(failures, Is.Empty, $"{failures.Count} of {count} inputs were neither accepted nor a user error");
        Assert.That(tally.Total, Is.EqualTo(count));
        // Every category had its turn, and the mutations both break files and leave some harmless (NaN weights, say).
        foreach (var category in FuzzGenerator.CategoriesOf(target))
            Assert.That(tally.Count(category, nameof(FuzzOutcome.UserError)) + tally.Count(category, nameof(FuzzOutcome.Accepted)),
                Is.EqualTo(count / FuzzGenerator.CategoriesOf(target).Count).Within(1), category.ToString());
        Assert.That(tally.Categories.Sum(c => tally.Count(c, nameof(FuzzOutcome.UserError))), Is.GreaterThan(count / 2));
        Assert.That(tally.Categories.Sum(c => tally.Count(c, nameof(FuzzOutcome.Accepted))), Is.GreaterThan(0));
    }

    [Test]
    public void MutatedVnnlibIsAcceptedOrAUserError() => AssertClean(FuzzTarget.Vnnlib, seed: 7, count: 220);

    [Test]
    public void MutatedOnnxIsAcceptedOrAUserError() => AssertClean(FuzzTarget.Onnx, seed: 7, count: 208);

    [Test]
    public void EverySeedIsAcceptedUnmutated()
    {
        foreach (var seed in Corpus.Value.Onnx)
            Assert.DoesNotThrow(() => ParserTargets.Run(new FuzzInput(FuzzTarget.Onnx, 0, FuzzCategory.BitFlip, seed.Name, seed.Bytes, "none", Spec: seed.Spec)), seed.Name);
        foreach (var seed in Corpus.Value.Vnnlib)
            Assert.DoesNotThrow(() => ParserTargets.Run(new FuzzInput(FuzzTarget.Vnnlib, 0, FuzzCategory.BitFlip, seed.Name,
                System.Text.Encoding.UTF8.GetBytes(seed.Text), "none", seed.InputSize, seed.OutputSize)), seed.Name);
        Assert.That(Corpus.Value.Onnx.Count, Is.GreaterThanOrEqualTo(6));
        Assert.That(Corpus.Value.Vnnlib.Count, Is.GreaterThanOrEqualTo(7));
    }

    [Test]
    public void TheSameSeedGivesTheSameInputs()
    {
        var a = new FuzzGenerator(FuzzTarget.Onnx, 3, Corpus.Value);
        var b = new FuzzGenerator(FuzzTarget.Onnx, 3, Corpus.Value);
        foreach (var i in new[] { 0, 1, 4, 11 })
            Assert.That(a.Generate(i).Data, Is.EqualTo(b.Generate(i).Data), $"input {i}");
        Assert.That(a.Generate(0).Data, Is.Not.EqualTo(new FuzzGenerator(FuzzTarget.Onnx, 4, Corpus.Value).Generate(0).Data));
    }

    [Test]
    public void TruncationCutsAtProtobufFieldBoundaries()
    {
        var bytes = Corpus.Value.Onnx[0].Bytes;
        var boundaries = ProtobufBoundaries.Of(bytes);
        // Each node, initializer and value info of the small MLP starts a field, and nested fields are walked.
        Assert.That(boundaries.First(), Is.EqualTo(0));
        Assert.That(boundaries.Last(), Is.EqualTo(bytes.Length));
        Assert.That(boundaries.Count, Is.GreaterThan(40));
    }
}
