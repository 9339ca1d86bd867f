using NUnit.Framework;
using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Operators;

/// <summary>
/// MaxPool's forward, interval and backward rules against a window-by-window maximum computed here, on inputs
/// [batch 2, 1, 3, 6, 6] with overlapping, non-overlapping and asymmetrically padded windows.
/// </summary>
public class MaxPoolSoundnessTests
{
    const int Samples = 2000;
    const int Specs = 5;
    static readonly long[] Shape = { 1, 3, 6, 6 };

    /// <summary>(kernel, strides, pads [top, left, bottom, right]).</summary>
    static readonly (long K, long S, long[] Pads)[] Configurations =
    {
        (3, 2, new long[] { 0, 0, 0, 0 }),
        (3, 2, new long[] { 1, 0, 0, 1 }),
        (2, 2, new long[] { 0, 0, 0, 0 }),
        (2, 2, new long[] { 1, 1, 0, 0 }),
        (3, 1, new long[] { 2, 1, 0, 2 }),
    };

    static IEnumerable<TestCaseData> Cases() =>
        Enumerable.Range(0, Configurations.Length).SelectMany(i => new[]
        {
            new TestCaseData(i, ScalarType.Float64),
            new TestCaseData(i, ScalarType.Float32),
        });

    [TestCaseSource(nameof(Cases))]
    public void ForwardIsTheMaximumOfEachWindow(int configuration, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var (op, k, s, pads) = Make(configuration);
        var x = torch.randn(Batched(7), generator: new Generator(1), dtype: dtype);
        Assert.That((op.Forward(new[] { x }) == WindowMax(x, k, s, pads)).all().item<bool>(), Is.True);
    }

    [TestCaseSource(nameof(Cases))]
    public void IntervalContainsSampledOutputs(int configuration, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var (op, k, s, pads) = Make(configuration);
        var box = RandomBounds(dtype, radius: 1.0, seed: 2);
        var bounds = op.Interval(new[] { box });
        var y = WindowMax(SamplesIn(box, seed: 3).flatten(0, 1), k, s, pads).reshape(2, Samples, -1);
        Assert.That((y - bounds.Lower.reshape(2, 1, -1)).min().to_type(ScalarType.Float64).item<double>(), Is.GreaterThanOrEqualTo(0));
        Assert.That((bounds.Upper.reshape(2, 1, -1) - y).min().to_type(ScalarType.Float64).item<double>(), Is.GreaterThanOrEqualTo(0));
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardLowerBoundHoldsAtSampledPoints(int configuration, ScalarType dtype)
    {
        for (int seed = 0; seed < 4; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var (op, _, _, _) = Make(configuration);
            var box = RandomBounds(dtype, radius: 0.2 + seed * 0.4, seed: 10 + seed);
            var a = torch.randn(new[] { 2L, Specs }.Concat(op.InferShape(new[] { Shape })).ToArray(), generator: new Generator((ulong)(20 + seed)), dtype: dtype);
            var r = op.Backward(a, new BackwardContext(new[] { Shape }, new[] { box }));
            AssertLowerLineHolds(a, r, SamplesIn(box, seed: 30 + seed), configuration, $"seed {seed}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardWithAnyAlphaHoldsAtSampledPoints(int configuration, ScalarType dtype)
    {
        for (int seed = 0; seed < 4; seed++)
        {
            using var scope = torch.NewDisposeScope();
            var (op, _, _, _) = Make(configuration);
            var box = RandomBounds(dtype, radius: 0.2 + seed * 0.4, seed: 50 + seed);
            var gen = new Generator((ulong)(60 + seed));
            var a = torch.randn(new[] { 2L, Specs }.Concat(op.InferShape(new[] { Shape })).ToArray(), generator: gen, dtype: dtype);
            // Random weights in [0, 1], a quarter of them 0, some windows all 0 (those fall back to x_k).
            var start = op.InitialAlpha(box, Shape)!;
            var alpha = torch.rand(new[] { 2L, Specs }.Concat(start.shape.Skip(1)).ToArray(), generator: gen, dtype: dtype);
            alpha = alpha * (torch.rand(alpha.shape, generator: gen, dtype: dtype) > 0.25).to_type(dtype);
            if (seed == 3) alpha = alpha * 0;
            var r = op.Backward(a, new BackwardContext(new[] { Shape }, new[] { box }, alpha));
            AssertLowerLineHolds(a, r, SamplesIn(box, seed: 70 + seed), configuration, $"alpha, seed {seed}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void TheStartingAlphaIsThePlainRelaxation(int configuration, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var (op, _, _, _) = Make(configuration);
        var box = RandomBounds(dtype, radius: 0.8, seed: 80);
        var a = torch.randn(new[] { 2L, Specs }.Concat(op.InferShape(new[] { Shape })).ToArray(), generator: new Generator(81), dtype: dtype);
        var start = op.InitialAlpha(box, Shape)!;
        Assert.That((start.sum(-1) - 1).abs().max().to_type(ScalarType.Float64).item<double>(), Is.EqualTo(0), "one weight of 1 per window");
        var plain = op.Backward(a, new BackwardContext(new[] { Shape }, new[] { box }));
        var withAlpha = op.Backward(a, new BackwardContext(new[] { Shape }, new[] { box }, start.unsqueeze(1).expand(new[] { 2L, Specs }.Concat(start.shape.Skip(1)).ToArray())));
        // Equal up to summation order (overlapping windows add their coefficients in another order).
        double tol = (dtype == ScalarType.Float32 ? 1e-5 : 1e-12) * (1 + a.abs().sum().to_type(ScalarType.Float64).item<double>());
        Assert.That((plain.InputA[0]! - withAlpha.InputA[0]!).abs().max().to_type(ScalarType.Float64).item<double>(), Is.LessThanOrEqualTo(tol));
        Assert.That((plain.Bias! - withAlpha.Bias!).abs().max().to_type(ScalarType.Float64).item<double>(), Is.LessThanOrEqualTo(tol));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(4)]
    public void BackwardIsExactWhenEveryWindowMaximumIsDecided(int configuration)
    {
        // Distinct centres 0.1 apart with radius 0.01: in every window one element's lower bound beats the others'
        // upper bounds, so y = x_k exactly; overlapping windows that share their maximum must add coefficients.
        using var scope = torch.NewDisposeScope();
        var (op, k, s, pads) = Make(configuration);
        long n = Shape.Aggregate(1L, (p, d) => p * d);
        var gen = new Generator(40);
        var centres = torch.stack(new[] { torch.randperm(n, generator: gen), torch.randperm(n, generator: gen) })
            .to_type(ScalarType.Float64).reshape(Batched(2)) * 0.1;
        var box = new IntervalBounds(centres - 0.01, centres + 0.01);
        var a = torch.randn(new[] { 2L, Specs }.Concat(op.InferShape(new[] { Shape })).ToArray(), generator: gen, dtype: ScalarType.Float64);
        var r = op.Backward(a, new BackwardContext(new[] { Shape }, new[] { box }));
        var x = SamplesIn(box, seed: 41);
        var y = WindowMax(x.flatten(0, 1), k, s, pads).reshape(2, Samples, -1);
        var lhs = a.flatten(2).matmul(y.transpose(1, 2));
        var rhs = r.InputA[0]!.flatten(2).matmul(x.flatten(2).transpose(1, 2)) + (r.Bias ?? torch.zeros(2, Specs, dtype: ScalarType.Float64)).unsqueeze(-1);
        Assert.That((lhs - rhs).abs().max().to_type(ScalarType.Float64).item<double>(), Is.LessThan(1e-12));
    }

    [Test]
    public void PadsAsWideAsTheWindowAreRejected()
    {
        Assert.That(() => new MaxPool(new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 0, 2, 0, 0 }), Throws.TypeOf<VerifyException>());
    }

    /// <summary>A·y &gt;= A'·x + bias at every sampled x (y its window maxima), up to float rounding of the sums.</summary>
    static void AssertLowerLineHolds(Tensor a, BackwardResult r, Tensor x, int configuration, string what)
    {
        var (_, k, s, pads) = Make(configuration);
        var dtype = a.dtype;
        var y = WindowMax(x.flatten(0, 1), k, s, pads).reshape(2, Samples, -1);
        var lhs = a.flatten(2).matmul(y.transpose(1, 2));
        var rhs = r.InputA[0]!.flatten(2).matmul(x.flatten(2).transpose(1, 2)) + (r.Bias ?? torch.zeros(2, Specs, dtype: dtype)).unsqueeze(-1);
        double tol = dtype == ScalarType.Float32 ? 1e-5 : 1e-12;
        var scale = a.abs().flatten(2).sum(2).unsqueeze(-1) * (1 + y.abs().max().to_type(ScalarType.Float64).item<double>());
        Assert.That((rhs - lhs - tol * scale).max().to_type(ScalarType.Float64).item<double>(), Is.LessThanOrEqualTo(0), $"A·y >= A'·x + bias fails ({what})");
    }

    static (MaxPool Op, long K, long S, long[] Pads) Make(int configuration)
    {
        var (k, s, pads) = Configurations[configuration];
        return (new MaxPool(new[] { k, k }, new[] { s, s }, pads), k, s, pads);
    }

    static long[] Batched(long batch) => new[] { batch }.Concat(Shape).ToArray();

    /// <summary>Bounds [2, 1, 3, 6, 6]: random centres, radii uniform in [0, radius].</summary>
    static IntervalBounds RandomBounds(ScalarType dtype, double radius, int seed)
    {
        var gen = new Generator((ulong)seed);
        var c = torch.randn(Batched(2), generator: gen, dtype: dtype);
        var r = torch.rand(Batched(2), generator: gen, dtype: dtype) * radius;
        return new IntervalBounds(c - r, c + r);
    }

    /// <summary>Uniform points of the box: [2, samples, 1, 3, 6, 6].</summary>
    static Tensor SamplesIn(IntervalBounds box, int seed)
    {
        var t = torch.rand(new[] { 2L, Samples }.Concat(Shape).ToArray(), generator: new Generator((ulong)seed), dtype: box.Lower.dtype);
        var lo = box.Lower.unsqueeze(1);
        var hi = box.Upper.unsqueeze(1);
        return torch.minimum(lo + (hi - lo) * t, hi);
    }

    /// <summary>The maximum over each window, the window clipped to the input (padding never wins): [b, 1, 3, Ho, Wo].</summary>
    static Tensor WindowMax(Tensor x, long k, long s, long[] pads)
    {
        long h = x.shape[^2], w = x.shape[^1];
        long ho = (h + pads[0] + pads[2] - k) / s + 1, wo = (w + pads[1] + pads[3] - k) / s + 1;
        var rows = new List<Tensor>();
        for (long i = 0; i < ho; i++)
        {
            var cols = new List<Tensor>();
            long r0 = Math.Max(0, i * s - pads[0]), r1 = Math.Min(h, i * s - pads[0] + k);
            for (long j = 0; j < wo; j++)
            {
                long c0 = Math.Max(0, j * s - pads[1]), c1 = Math.Min(w, j * s - pads[1] + k);
                cols.Add(x.narrow(-2, r0, r1 - r0).narrow(-1, c0, c1 - c0).amax(new long[] { -2, -1 }));
            }
            rows.Add(torch.stack(cols, -1));
        }
        return torch.stack(rows, -2);
    }
}
