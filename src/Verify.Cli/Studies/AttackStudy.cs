using System.Diagnostics;
using Verify.Attack;
using Verify.Graph;
using Verify.Operators;
using Verify.Spec;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies;

/// <summary>Options of the attack study.</summary>
/// <param name="Images">Random images (uniform in [0, 1]^3x32x32), one robustness property each.</param>
/// <param name="Eps">l∞ radius of every property.</param>
/// <param name="Seed">Seed of the network and the images.</param>
/// <param name="StrongFactor">The reference attack runs this many times the steps and the restarts of the default.</param>
public sealed record AttackStudyOptions(int Images = 20, double Eps = 2.0 / 255, int Seed = 1, int StrongFactor = 4);

/// <summary>One image of the study: which attacks found a counterexample, and their seconds.</summary>
public sealed record AttackStudyRow(int Image, bool Probe, bool Default, bool Strong, double DefaultSeconds, double StrongSeconds);

/// <summary>
/// Whether the verifier's default attack (the probe, then targeted PGD per disjunct) finds the counterexamples that
/// exist on CIFAR-shaped inputs, measured against a much longer attack on a random CIFAR-shaped CNN
/// (3x32x32 → Conv 8 4x4/2 → ReLU → Conv 16 4x4/2 → ReLU → 100 → ReLU → 10) and robustness properties of random images.
/// </summary>
public static class AttackStudy
{
    /// <summary>Runs the study; <paramref name="progress"/> receives each row.</summary>
    public static IReadOnlyList<AttackStudyRow> Run(AttackStudyOptions options, Action<AttackStudyRow>? progress = null)
    {
        using var scope = NewDisposeScope();
        var graph = Network(options.Seed);
        var gen = new Generator((ulong)options.Seed + 1);
        var defaults = new AttackOptions();
        var strong = defaults with
        {
            Steps = defaults.Steps * options.StrongFactor, Restarts = defaults.Restarts * options.StrongFactor,
            Seed = defaults.Seed + 7, MaxPoints = int.MaxValue,
        };
        var rows = new List<AttackStudyRow>();
        for (int i = 0; i < options.Images; i++)
        {
            using var step = NewDisposeScope();
            var image = torch.rand(3 * 32 * 32, dtype: ScalarType.Float32, generator: gen);
            int label = (int)graph.Forward(image.reshape(1, 1, 3, 32, 32)).reshape(-1).argmax().item<long>();
            var x = image.to(ScalarType.Float64).data<double>().ToArray();
            var box = new InputBox(x.Select(v => Math.Max(0, v - options.Eps)).ToArray(), x.Select(v => Math.Min(1, v + options.Eps)).ToArray());
            var disjuncts = Enumerable.Range(0, 10).Where(j => j != label).Select(j =>
            {
                var c = new double[10];
                c[label] = 1;
                c[j] = -1;
                return new OutputConjunction(new[] { c }, new[] { 0.0 });
            }).ToArray();
            var property = new VnnProperty(new[] { new PropertyCase(box, disjuncts) }, x.Length, 10, $"image {i}");
            var spec = SpecBatch.From(property, CPU, ScalarType.Float32);
            var sw = Stopwatch.StartNew();
            bool probe = VertexProbe.Run(graph, spec, defaults).Count > 0;
            bool found = probe || Unsafe(PgdAttack.Run(graph, spec, defaults));
            double defaultSeconds = sw.Elapsed.TotalSeconds;
            sw.Restart();
            bool strongFound = Unsafe(PgdAttack.Run(graph, spec, strong));
            var row = new AttackStudyRow(i, probe, found, strongFound, defaultSeconds, sw.Elapsed.TotalSeconds);
            rows.Add(row);
            progress?.Invoke(row);
        }
        return rows;
    }

    static bool Unsafe(IReadOnlyList<AttackCandidate> candidates) => candidates.Count > 0 && candidates[0].Violation <= 0;

    /// <summary>The study's random CNN (He-scaled weights), float32.</summary>
    public static ComputationGraph Network(int seed)
    {
        var gen = new Generator((ulong)seed);
        Tensor R(double fanIn, params long[] shape) => torch.randn(shape, generator: gen, dtype: ScalarType.Float32) * (float)Math.Sqrt(2.0 / fanIn);
        Tensor B(long n) => (torch.rand(n, generator: gen, dtype: ScalarType.Float32) - 0.5f) * 0.2f;
        var nodes = new List<Node> { new(0, "x", new InputOp(new long[] { 1, 3, 32, 32 }), Array.Empty<int>(), new long[] { 1, 3, 32, 32 }) };
        void Add(Operator op, long[] shape) => nodes.Add(new Node(nodes.Count, $"n{nodes.Count}", op, new[] { nodes.Count - 1 }, shape));
        Add(new Conv(R(48, 8, 3, 4, 4), B(8), new long[] { 1, 1, 1, 1 }, new long[] { 2, 2 }, new long[] { 1, 1 }, 1), new long[] { 1, 8, 16, 16 });
        Add(new Relu(), new long[] { 1, 8, 16, 16 });
        Add(new Conv(R(128, 16, 8, 4, 4), B(16), new long[] { 1, 1, 1, 1 }, new long[] { 2, 2 }, new long[] { 1, 1 }, 1), new long[] { 1, 16, 8, 8 });
        Add(new Relu(), new long[] { 1, 16, 8, 8 });
        Add(new Reshape(new long[] { 1, 1024 }), new long[] { 1, 1024 });
        Add(new Linear(R(1024, 100, 1024), B(100)), new long[] { 1, 100 });
        Add(new Relu(), new long[] { 1, 100 });
        Add(new Linear(R(100, 10, 100), B(10)), new long[] { 1, 10 });
        return new ComputationGraph(nodes, nodes.Count - 1, "x", "y");
    }
}
