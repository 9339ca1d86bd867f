using Verify.Spec;

namespace Verify.Verification;

/// <summary>
/// Confirms a candidate counterexample independently of our tensor code: the point is made exactly representable in
/// float32 and inside its box, run through ONNX Runtime on the original model, and the output is tested against the
/// property's atoms exactly.
/// </summary>
public static class CounterexampleChecker
{
    /// <summary>The confirmed counterexample, or null when ONNX Runtime's output satisfies no disjunct of the case.</summary>
    public static Counterexample? Confirm(OnnxRuntimeRunner runner, VnnProperty property, int caseIndex, double[] point)
    {
        var box = property.Cases[caseIndex].Box;
        var x = InsideBoxAsFloat(point, box);
        if (x is null) return null;
        var y = runner.Run(x);
        var disjuncts = property.Cases[caseIndex].Disjuncts;
        for (int d = 0; d < disjuncts.Count; d++)
            if (Satisfies(disjuncts[d], y))
                return new Counterexample(x, y, caseIndex, d);
        return null;
    }

    /// <summary>True when y satisfies every atom C·y &lt;= D of the conjunction.</summary>
    public static bool Satisfies(OutputConjunction conjunction, double[] y)
    {
        for (int k = 0; k < conjunction.D.Length; k++)
        {
            double s = 0;
            var row = conjunction.C[k];
            for (int i = 0; i < row.Length; i++) s += row[i] * y[i];
            if (!(s <= conjunction.D[k])) return false;
        }
        return true;
    }

    /// <summary>
    /// The point clipped to the box and rounded to float32 values that still lie inside the box, or null when a
    /// float32 value cannot (an interval narrower than float32 spacing and containing none).
    /// </summary>
    public static double[]? InsideBoxAsFloat(double[] point, InputBox box)
    {
        var x = new double[point.Length];
        for (int i = 0; i < point.Length; i++)
        {
            double v = Math.Clamp(point[i], box.Lower[i], box.Upper[i]);
            float f = (float)v;
            if (f < box.Lower[i]) f = MathF.BitIncrement(f);
            if (f > box.Upper[i]) f = MathF.BitDecrement(f);
            if (f < box.Lower[i] || f > box.Upper[i] || float.IsNaN(f)) return null;
            x[i] = f;
        }
        return x;
    }
}
