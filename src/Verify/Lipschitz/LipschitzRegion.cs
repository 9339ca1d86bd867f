using System.Globalization;
using Verify.Graph;
using Verify.Spec;

namespace Verify.Lipschitz;

/// <summary>The input box of a Lipschitz analysis and how it is read from files.</summary>
/// <param name="Lower">Lower corner.</param>
/// <param name="Upper">Upper corner.</param>
public sealed record LipschitzRegion(double[] Lower, double[] Upper)
{
    /// <summary>The box of a VNNLIB property: the smallest box holding every case's input box.</summary>
    public static LipschitzRegion FromProperty(VnnProperty property)
    {
        int n = property.InputSize;
        var lo = Enumerable.Range(0, n).Select(i => property.Cases.Min(c => c.Box.Lower[i])).ToArray();
        var hi = Enumerable.Range(0, n).Select(i => property.Cases.Max(c => c.Box.Upper[i])).ToArray();
        return new LipschitzRegion(lo, hi);
    }

    /// <summary>
    /// Reads a centre file: numbers separated by whitespace, commas or semicolons (any line layout); text after '#' on
    /// a line is a comment. Throws <see cref="VerifyException"/> naming the problem.
    /// </summary>
    public static double[] ReadCenter(string path, int expected)
    {
        if (!File.Exists(path)) throw new VerifyException($"centre file not found: {path}");
        var values = new List<double>();
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            var text = raw.Split('#')[0];
            foreach (var token in text.Split(new[] { ' ', '\t', ',', ';', '\r' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new VerifyException($"{path}:{line}: '{token}' is not a finite number");
                values.Add(v);
            }
        }
        if (values.Count != expected)
            throw new VerifyException($"{path}: {values.Count} numbers, but the network takes {expected} inputs");
        return values.ToArray();
    }

    /// <summary>The box [c − eps, c + eps].</summary>
    public static LipschitzRegion Around(double[] center, double eps)
    {
        if (!(eps >= 0) || !double.IsFinite(eps)) throw new VerifyException($"--eps must be a finite number >= 0, got {eps}");
        return new LipschitzRegion(center.Select(c => c - eps).ToArray(), center.Select(c => c + eps).ToArray());
    }

    /// <summary>The box intersected with [lo, hi] in every coordinate; a user error when that is empty.</summary>
    public LipschitzRegion Clip(double lo, double hi)
    {
        if (!(lo <= hi)) throw new VerifyException($"--domain needs LO <= HI, got {lo},{hi}");
        var l = Lower.Select(v => Math.Max(v, lo)).ToArray();
        var u = Upper.Select(v => Math.Min(v, hi)).ToArray();
        for (int i = 0; i < l.Length; i++)
            if (l[i] > u[i]) throw new VerifyException($"the region does not meet the domain [{lo}, {hi}] at input {i}");
        return new LipschitzRegion(l, u);
    }
}
