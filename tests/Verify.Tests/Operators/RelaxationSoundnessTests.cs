using NUnit.Framework;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Operators;

/// <summary>
/// The two relaxation lines of every elementwise activation enclose the function at thousands of points of each
/// interval. Lines are evaluated in float64 against float64 reference formulas, so a float32 relaxation is checked
/// against the real function; the only slack is a rounding tolerance relative to the magnitudes |k·x|, |b| and |f(x)|.
/// </summary>
public class RelaxationSoundnessTests
{
    const int Samples = 2000;
    const int Specs = 3;

    static IEnumerable<TestCaseData> AllCases()
    {
        foreach (var name in ReferenceActivations.Names)
            foreach (var family in Enum.GetValues<IntervalFamily>())
                foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
                    foreach (var withAlpha in new[] { false, true })
                        yield return new TestCaseData(name, family, dtype, withAlpha);
    }

    static double RelativeTolerance(ScalarType dtype) => dtype == ScalarType.Float32 ? 1e-6 : 1e-12;

    [TestCaseSource(nameof(AllCases))]
    public void LowerLineIsBelowAndUpperLineAboveTheFunction(string name, IntervalFamily family, ScalarType dtype, bool withAlpha)
    {
        using var scope = torch.NewDisposeScope();
        var (l, u) = IntervalFamilies.Make(family, dtype, seed: (int)family * 7 + 1);
        var alpha = withAlpha ? RandomAlpha(dtype, seed: 11) : null;
        var r = ReferenceActivations.Create(name).Relax(l, u, alpha);
        var x = IntervalFamilies.Points(l, u, Samples, seed: 5);
        var fx = ReferenceActivations.Evaluate(name, x);
        double tol = RelativeTolerance(dtype);

        foreach (var (slope, intercept, side) in new[] { (r.LowerSlope, r.LowerIntercept, "lower"), (r.UpperSlope, r.UpperIntercept, "upper") })
        {
            Assert.That(torch.isfinite(slope).all().item<bool>() && torch.isfinite(intercept).all().item<bool>(), Is.True, $"{side} line has NaN/Inf");
            var violation = Violation(slope, intercept, x, fx, side == "lower", tol);
            var worst = violation.max().item<double>();
            Assert.That(worst, Is.LessThanOrEqualTo(0), () => $"{name} {side} line crosses f on {family} {dtype}: {Worst(violation, l, u, x)}");
        }
    }

    [TestCase("Sigmoid", ScalarType.Float32)]
    [TestCase("Sigmoid", ScalarType.Float64)]
    [TestCase("Tanh", ScalarType.Float32)]
    [TestCase("Tanh", ScalarType.Float64)]
    public void SShapedLinesAreSoundWhereTheTangentGivesWayToTheChord(string name, ScalarType dtype)
    {
        // For l < 0 the tangent through (l, f(l)) touches f at d*(l); u just below d* needs the chord, u at or above
        // it the tangent. Intervals straddle that switch (and its mirror image for the lower line) by 1e-3 to 1e-9.
        using var scope = torch.NewDisposeScope();
        var gen = new Generator(53);
        var l0 = -(0.01 + 20 * torch.rand(2, 128, generator: gen, dtype: ScalarType.Float64));
        var touch = ReferenceTouchPoint(name, l0);
        var relative = torch.tensor(new[] { -1e-3, -1e-6, -1e-9, 0, 1e-9, 1e-6, 1e-3 }, dtype: ScalarType.Float64);
        var u0 = touch * (1 + relative[torch.randint(7, new long[] { 2, 128 }, generator: gen)]);
        foreach (var (lo, hi) in new[] { (l0, u0), (-u0, -l0) })
        foreach (var alpha in new[] { null, RandomAlpha(dtype, seed: 61) })
        {
            var l = lo.to_type(dtype);
            var u = hi.to_type(dtype);
            var r = ReferenceActivations.Create(name).Relax(l, u, alpha);
            var x = IntervalFamilies.Points(l, u, Samples, seed: 59);
            var fx = ReferenceActivations.Evaluate(name, x);
            double tol = RelativeTolerance(dtype);
            Assert.That(Violation(r.LowerSlope, r.LowerIntercept, x, fx, true, tol).max().item<double>(), Is.LessThanOrEqualTo(0), "lower line crosses f");
            Assert.That(Violation(r.UpperSlope, r.UpperIntercept, x, fx, false, tol).max().item<double>(), Is.LessThanOrEqualTo(0), "upper line crosses f");
        }
    }

    [TestCase(ScalarType.Float32)]
    [TestCase(ScalarType.Float64)]
    public void ReluRelaxationIsExactOnStableIntervals(ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var family in new[] { IntervalFamily.AllPositive, IntervalFamily.AllNegative })
            foreach (var alpha in new[] { null, RandomAlpha(dtype, seed: 3) })
            {
                var (l, u) = IntervalFamilies.Make(family, dtype, seed: 17);
                var r = new Relu().Relax(l, u, alpha);
                double expectedSlope = family == IntervalFamily.AllPositive ? 1 : 0;
                foreach (var slope in new[] { r.LowerSlope, r.UpperSlope })
                    Assert.That(torch.all(slope == expectedSlope).item<bool>(), Is.True, $"{family}: slope is not {expectedSlope}");
                foreach (var intercept in new[] { r.LowerIntercept, r.UpperIntercept })
                    Assert.That(torch.all(intercept == 0).item<bool>(), Is.True, $"{family}: intercept is not 0");
            }
    }

    [TestCase("Sigmoid", ScalarType.Float32)]
    [TestCase("Sigmoid", ScalarType.Float64)]
    [TestCase("Tanh", ScalarType.Float32)]
    [TestCase("Tanh", ScalarType.Float64)]
    public void SShapedLinesTouchTheFunctionInEveryInterval(string name, ScalarType dtype)
    {
        // Chords touch at the ends, default tangents at the midpoint, the crossing tangents at l (upper) or u (lower):
        // the sample set holds all three, so each line comes within float rounding of f somewhere. Rounding is
        // measured against the largest magnitude the line takes on the interval, |k|·(|l| + |u|), and f's range.
        using var scope = torch.NewDisposeScope();
        double rounding = dtype == ScalarType.Float32 ? 1e-5 : 1e-13;
        foreach (var family in Enum.GetValues<IntervalFamily>())
        {
            var (l, u) = IntervalFamilies.Make(family, dtype, seed: 23);
            var r = ReferenceActivations.Create(name).Relax(l, u);
            var x = IntervalFamilies.Points(l, u, 16, seed: 29);
            var fx = ReferenceActivations.Evaluate(name, x);
            var span = (l.abs() + u.abs()).to_type(ScalarType.Float64);
            foreach (var (slope, intercept, side) in new[] { (r.LowerSlope, r.LowerIntercept, "lower"), (r.UpperSlope, r.UpperIntercept, "upper") })
            {
                var distance = (AsLine(slope) * x + AsLine(intercept) - fx).abs().min(-1).values.squeeze(1);
                var allowed = rounding * (1 + slope.to_type(ScalarType.Float64).abs() * span);
                Assert.That((distance - allowed).max().item<double>(), Is.LessThanOrEqualTo(0), $"{name} {side} line never comes close to f on {family}");
            }
        }
    }

    [TestCase("Sigmoid")]
    [TestCase("Tanh")]
    public void AlphaChoosesTheTangentPointOnTheConvexSide(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (l, u) = IntervalFamilies.Make(IntervalFamily.AllNegative, ScalarType.Float64, seed: 31);
        var alpha = RandomAlpha(ScalarType.Float64, seed: 37);
        var r = ReferenceActivations.Create(name).Relax(l, u, alpha);
        var l3 = l.unsqueeze(1);
        var u3 = u.unsqueeze(1);
        var d = l3 + alpha.clamp(0, 1) * (u3 - l3);
        var fd = ReferenceActivations.Evaluate(name, d);
        var h = 1e-6;
        var slope = (ReferenceActivations.Evaluate(name, d + h) - ReferenceActivations.Evaluate(name, d - h)) / (2 * h);
        Assert.That((r.LowerSlope * d + r.LowerIntercept - fd).abs().max().item<double>(), Is.LessThan(1e-12), "the lower line does not touch f at d");
        Assert.That((r.LowerSlope - slope).abs().max().item<double>(), Is.LessThan(1e-8), "the lower line is not the tangent at d");
    }

    [TestCase("Sigmoid")]
    [TestCase("Tanh")]
    public void SShapedRelaxationHasFiniteGradientsOnEveryFamily(string name)
    {
        foreach (var family in Enum.GetValues<IntervalFamily>())
        {
            using var scope = torch.NewDisposeScope();
            var (l0, u0) = IntervalFamilies.Make(family, ScalarType.Float32, seed: 41);
            var l = l0.clone().requires_grad_(true);
            var u = u0.clone().requires_grad_(true);
            var alpha = RandomAlpha(ScalarType.Float32, seed: 43).requires_grad_(true);
            var r = ReferenceActivations.Create(name).Relax(l, u, alpha);
            var total = r.LowerSlope.sum() + r.LowerIntercept.sum() + r.UpperSlope.sum() + r.UpperIntercept.sum();
            total.backward();
            foreach (var (g, what) in new[] { (l.grad, "l"), (u.grad, "u"), (alpha.grad, "alpha") })
                Assert.That(g is not null && torch.isfinite(g).all().item<bool>(), Is.True, $"{family}: gradient of {what} is missing or not finite");
        }
    }

    /// <summary>For l &lt; 0, the d &gt;= 0 whose tangent passes through (l, f(l)), by 200 float64 bisection steps on [0, 100].</summary>
    static Tensor ReferenceTouchPoint(string name, Tensor l)
    {
        var fl = ReferenceActivations.Evaluate(name, l);
        Tensor Excess(Tensor d)
        {
            var fd = ReferenceActivations.Evaluate(name, d);
            var slope = name == "Sigmoid" ? fd * (1 - fd) : 1 - fd * fd;
            return fd + slope * (l - d) - fl;
        }
        var lo = torch.zeros_like(l);
        var hi = torch.full_like(l, 100.0);
        for (int i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            var above = Excess(mid) >= 0;
            hi = torch.where(above, mid, hi);
            lo = torch.where(above, lo, mid);
        }
        return (lo + hi) / 2;
    }

    /// <summary>Alpha [2, specs, 128] uniform in [-0.5, 1.5] (values outside [0, 1] must be clamped).</summary>
    static Tensor RandomAlpha(ScalarType dtype, int seed) =>
        (torch.rand(new long[] { 2, Specs, 128 }, generator: new Generator((ulong)seed), dtype: ScalarType.Float64) * 2 - 0.5).to_type(dtype);

    /// <summary>
    /// How far the line k·x + b is on the wrong side of f at each point, beyond the rounding slack
    /// tol·(|k·x| + |b| + |f(x)|) (positive = unsound).
    /// </summary>
    static Tensor Violation(Tensor slope, Tensor intercept, Tensor x, Tensor fx, bool lower, double tol)
    {
        var kx = AsLine(slope) * x;
        var b = AsLine(intercept);
        var line = kx + b;
        var slack = tol * (kx.abs() + b.abs() + fx.abs());
        return lower ? line - fx - slack : fx - line - slack;
    }

    /// <summary>A line coefficient [2, 128] or [2, specs, 128] as float64 [2, 1 or specs, 128, 1].</summary>
    static Tensor AsLine(Tensor t)
    {
        var d = t.to_type(ScalarType.Float64);
        return (d.dim() == 2 ? d.unsqueeze(1) : d).unsqueeze(-1);
    }

    static string Worst(Tensor violation, Tensor l, Tensor u, Tensor x)
    {
        var flat = violation.reshape(2, -1, 128, violation.shape[^1]);
        long arg = flat.argmax().item<long>();
        long perInterval = flat.shape[^1], i = arg / perInterval % 128, b = arg / (perInterval * 128 * flat.shape[1]);
        var xs = x.expand(flat.shape).reshape(-1)[arg].item<double>();
        return $"l={l[b, i].to_type(ScalarType.Float64).item<double>():R} u={u[b, i].to_type(ScalarType.Float64).item<double>():R} x={xs:R} by {flat.max().item<double>():E3}";
    }
}
