using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// The LipSDP matrix inequality of a feed-forward network with activations slope-restricted in [0, β_k]:
/// for z = (x_0, x_1, …, x_l) (input, then the hidden layers),
/// zᵀM(ρ, λ)z = −ρ|x_0|² + |W_l x_l|² + Σ_k Σ_{i∈layer k} 2λ_i x_{k,i}(β_k (W_{k−1} x_{k−1})_i − x_{k,i}),
/// so M is linear in (ρ, λ); L = √ρ is a global l2 Lipschitz bound whenever M ⪯ 0 and λ ≥ 0.
/// Multipliers are per hidden neuron; <see cref="Group"/> ties them per layer for the Layer form.
/// </summary>
internal sealed class LipSdpProblem
{
    LipSdpProblem(Matrix<double>[] hidden, Matrix<double> last, double[] slopes, LipSdpForm form)
    {
        HiddenWeights = hidden;
        Last = last;
        Slopes = slopes;
        Form = form;
        InputSize = hidden.Length > 0 ? hidden[0].ColumnCount : last.ColumnCount;
        Offsets = new int[hidden.Length + 1];
        for (int k = 0; k < hidden.Length; k++) Offsets[k + 1] = Offsets[k] + hidden[k].RowCount;
        Group = new int[Hidden];
        for (int k = 0; k < hidden.Length; k++)
            for (int i = Offsets[k]; i < Offsets[k + 1]; i++) Group[i] = form == LipSdpForm.Neuron ? i : k;
        GroupCount = form == LipSdpForm.Neuron ? Hidden : hidden.Length;
    }

    /// <summary>W_0 … W_{l−1}: the layers that produce hidden neurons.</summary>
    public Matrix<double>[] HiddenWeights { get; }

    /// <summary>W_l, the output layer.</summary>
    public Matrix<double> Last { get; }

    /// <summary>β_k, the upper slope bound of each hidden layer's activation (its lower bound is 0).</summary>
    public double[] Slopes { get; }

    /// <summary>The multiplier form.</summary>
    public LipSdpForm Form { get; }

    /// <summary>Dimension of x_0.</summary>
    public int InputSize { get; }

    /// <summary>Start of each hidden layer in the hidden-neuron numbering (last entry = <see cref="Hidden"/>).</summary>
    public int[] Offsets { get; }

    /// <summary>Number of hidden neurons.</summary>
    public int Hidden => Offsets[^1];

    /// <summary>Dimension of M.</summary>
    public int Dimension => InputSize + Hidden;

    /// <summary>The multiplier group of each hidden neuron.</summary>
    public int[] Group { get; }

    /// <summary>Number of free multipliers.</summary>
    public int GroupCount { get; }

    /// <summary>
    /// The problem of a network whose hidden activations are slope-restricted in [0, β]: ReLU and tanh (β = 1),
    /// sigmoid (β = 1/4). Throws <see cref="VerifyException"/> for anything else. Biases do not change a global bound.
    /// </summary>
    public static LipSdpProblem From(DenseNetwork network, LipSdpForm form)
    {
        var layers = network.Layers;
        var hidden = new Matrix<double>[layers.Count - 1];
        var slopes = new double[layers.Count - 1];
        for (int k = 0; k < hidden.Length; k++)
        {
            hidden[k] = Matrix<double>.Build.DenseOfArray(layers[k].Weight);
            // A slope restriction [α, β] with α >= 0 implies [0, β], the sector the problem encodes (sound, looser for α > 0).
            var a = layers[k].Activation!;
            if (a.MinSlope < 0 || !double.IsFinite(a.MaxSlope))
                throw new VerifyException($"LipSDP: layer {k} has activation {a.OpType}, which is not slope-restricted in [0, β] for a finite β");
            slopes[k] = a.MaxSlope;
        }
        return new LipSdpProblem(hidden, Matrix<double>.Build.DenseOfArray(layers[^1].Weight), slopes, form);
    }

    /// <summary>
    /// The same problem with W_0 replaced by W_0 Q, Q an orthonormal basis (thin QR) of the row space of W_0: M is then
    /// orthogonally similar to (reduced M) ⊕ (−ρI), so ρ and λ certify the same bound while M is smaller.
    /// </summary>
    public LipSdpProblem ReducedInput()
    {
        if (HiddenWeights.Length == 0 || HiddenWeights[0].ColumnCount <= HiddenWeights[0].RowCount) return this;
        var w0 = HiddenWeights[0];
        var q = w0.Transpose().QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).Q;
        var reduced = HiddenWeights.ToArray();
        reduced[0] = w0 * q;
        return new LipSdpProblem(reduced, Last, Slopes, Form);
    }

    /// <summary>Per-neuron multipliers from per-group ones.</summary>
    public double[] Expand(IReadOnlyList<double> groups)
    {
        var lambda = new double[Hidden];
        for (int i = 0; i < lambda.Length; i++) lambda[i] = groups[Group[i]];
        return lambda;
    }

    /// <summary>Sums per-neuron values into their groups.</summary>
    public double[] Collapse(IReadOnlyList<double> neurons)
    {
        var g = new double[GroupCount];
        for (int i = 0; i < neurons.Count; i++) g[Group[i]] += neurons[i];
        return g;
    }

    /// <summary>The full matrix M(ρ, λ) (λ per hidden neuron), ordered input first.</summary>
    public Matrix<double> Matrix(double rho, IReadOnlyList<double> lambda)
    {
        if (HiddenWeights.Length == 0)
            return Last.TransposeThisAndMultiply(Last) - rho * Matrix<double>.Build.DenseIdentity(InputSize);
        var m = Matrix<double>.Build.Dense(Dimension, Dimension);
        for (int i = 0; i < InputSize; i++) m[i, i] = -rho;
        m.SetSubMatrix(InputSize, InputSize, HiddenBlock(lambda));
        var coupling = InputCoupling(lambda); // n_1 x n_0
        m.SetSubMatrix(InputSize, 0, coupling);
        m.SetSubMatrix(0, InputSize, coupling.Transpose());
        return m;
    }

    /// <summary>N(λ): the hidden-neuron block of M (independent of ρ); the network needs a hidden layer.</summary>
    public Matrix<double> HiddenBlock(IReadOnlyList<double> lambda)
    {
        var n = Matrix<double>.Build.Dense(Hidden, Hidden);
        for (int k = 0; k < HiddenWeights.Length; k++)
        {
            int o = Offsets[k];
            for (int i = o; i < Offsets[k + 1]; i++) n[i, i] = -2 * lambda[i];
            if (k == 0) continue;
            var block = ScaledRows(HiddenWeights[k], lambda, o, Slopes[k]); // β T_k W_{k-1}
            n.SetSubMatrix(o, Offsets[k - 1], block);
            n.SetSubMatrix(Offsets[k - 1], o, block.Transpose());
        }
        int lastStart = Offsets[^2];
        n.SetSubMatrix(lastStart, lastStart, n.SubMatrix(lastStart, Hidden - lastStart, lastStart, Hidden - lastStart)
            + Last.TransposeThisAndMultiply(Last));
        return n;
    }

    /// <summary>The block of M coupling the first hidden layer to the input: β_1 T_1 W_0 (n_1 × n_0).</summary>
    public Matrix<double> InputCoupling(IReadOnlyList<double> lambda) => ScaledRows(HiddenWeights[0], lambda, 0, Slopes[0]);

    static Matrix<double> ScaledRows(Matrix<double> w, IReadOnlyList<double> lambda, int offset, double beta)
    {
        var d = Vector<double>.Build.Dense(w.RowCount, i => beta * lambda[offset + i]);
        return Matrix<double>.Build.DiagonalOfDiagonalVector(d) * w;
    }

    /// <summary>
    /// The terms of zᵀM(ρ, λ)z for a vector z = (x_0, hidden): |x_0|² (ρ enters as −ρ|x_0|²), the coefficient of each
    /// λ_i, and the constant |W_l x_l|².
    /// </summary>
    public (double InputSquared, double[] PerNeuron, double Constant) Terms(Vector<double> z)
    {
        var x = z.SubVector(0, InputSize);
        var per = new double[Hidden];
        for (int k = 0; k < HiddenWeights.Length; k++)
        {
            int o = Offsets[k], size = Offsets[k + 1] - o;
            var cur = z.SubVector(InputSize + o, size);
            var pre = HiddenWeights[k] * x;
            for (int i = 0; i < size; i++) per[o + i] = 2 * cur[i] * (Slopes[k] * pre[i] - cur[i]);
            x = cur;
        }
        var y = Last * x;
        return (z.SubVector(0, InputSize).DotProduct(z.SubVector(0, InputSize)), per, y.DotProduct(y));
    }
}
