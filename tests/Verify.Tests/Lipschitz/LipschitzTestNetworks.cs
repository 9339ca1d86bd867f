using Verify.Lipschitz;

namespace Verify.Tests.Lipschitz;

/// <summary>Independent reference computations for the Lipschitz tests.</summary>
static class LipschitzReference
{
    /// <summary>The Jacobian of a dense network at x by plain loops (ReLU derivative 1 for z &gt; 0), [outputs][inputs].</summary>
    public static double[][] Jacobian(DenseNetwork net, double[] x)
    {
        int n0 = net.InputSize;
        var jac = Enumerable.Range(0, n0).Select(i => Enumerable.Range(0, n0).Select(c => c == i ? 1.0 : 0.0).ToArray()).ToArray();
        var a = x;
        foreach (var layer in net.Layers)
        {
            var z = new double[layer.Outputs];
            var next = new double[layer.Outputs][];
            for (int r = 0; r < layer.Outputs; r++)
            {
                double s = layer.Bias[r];
                for (int p = 0; p < a.Length; p++) s += layer.Weight[r, p] * a[p];
                z[r] = s;
                double d = TestActivations.Slope(layer.Activation, s);
                next[r] = new double[n0];
                for (int c = 0; c < n0; c++)
                {
                    double v = 0;
                    for (int p = 0; p < a.Length; p++) v += layer.Weight[r, p] * jac[p][c];
                    next[r][c] = d * v;
                }
            }
            a = z.Select(v => TestActivations.Value(layer.Activation, v)).ToArray();
            jac = next;
        }
        return jac;
    }

    /// <summary>‖row‖₁ of each Jacobian row at x.</summary>
    public static double[] RowNorms(DenseNetwork net, double[] x) => Jacobian(net, x).Select(r => r.Sum(Math.Abs)).ToArray();

    /// <summary>A random dense layer.</summary>
    public static DenseLayer Layer(Random rng, int outputs, int inputs, Verify.Operators.ActivationOperator? act, double bias = 0.1)
    {
        var w = new double[outputs, inputs];
        for (int r = 0; r < outputs; r++)
            for (int c = 0; c < inputs; c++) w[r, c] = (rng.NextDouble() * 2 - 1) / Math.Sqrt(inputs) * 1.7;
        return new DenseLayer(w, Enumerable.Range(0, outputs).Select(_ => (rng.NextDouble() * 2 - 1) * bias).ToArray(), act);
    }

    /// <summary>A random MLP with the given widths and hidden activation.</summary>
    public static DenseNetwork Mlp(int[] widths, int seed, Verify.Operators.ActivationOperator? act = null)
    {
        var rng = new Random(seed);
        return new DenseNetwork(Enumerable.Range(1, widths.Length - 1)
            .Select(k => Layer(rng, widths[k], widths[k - 1], k == widths.Length - 1 ? null : act ?? new Verify.Operators.Relu())).ToList());
    }

    /// <summary>A box of the given radius around a random centre in [0, 1]^n.</summary>
    public static (double[] Lower, double[] Upper, double[] Center) Box(int n, double radius, int seed)
    {
        var rng = new Random(seed + 1000);
        var c = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        return (c.Select(v => v - radius).ToArray(), c.Select(v => v + radius).ToArray(), c);
    }
}
