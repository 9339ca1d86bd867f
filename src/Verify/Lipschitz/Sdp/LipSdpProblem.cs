using MathNet.Numerics.LinearAlgebra;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// The LipSDP matrix inequality of a feed-forward network with activations slope-restricted in [0, β_k] or pairwise
/// (MaxMin, Householder): for z = (x_0, x_1, …, x_l) (input, then the hidden layers) and v_k = W_{k−1}x_{k−1},
/// zᵀM(ρ, λ)z = −ρ|x_0|² + |W_l x_l|² + Σ_k T_k, with, for a slope-restricted layer,
/// T_k = Σ_{i∈layer k} 2λ_i x_{k,i}(β_k v_{k,i} − x_{k,i}), and for a pair layer (pairs (p, q), reflected direction â,
/// kept direction b̂ ⊥ â), T_k = Σ_pairs λ_p((âᵀv)² − (âᵀx)²) + λ_q((b̂ᵀv)² − (b̂ᵀx)²): âᵀx = −|âᵀv| is 1-Lipschitz
/// in âᵀv, and b̂ᵀx = b̂ᵀv is preserved (for MaxMin, the pair's difference and its sum, the sum-preserving constraint).
/// Read on differences of two inputs each term is ≥ 0, so M linear in (ρ, λ), M ⪯ 0 and λ ≥ 0 give L = √ρ.
/// Multipliers are per hidden neuron slot; <see cref="Group"/> ties them per layer for the Layer form.
/// </summary>
internal sealed class LipSdpProblem
{
    LipSdpProblem(Matrix<double>[] hidden, Matrix<double> last, double[] slopes, PairActivation?[] pairs, LipSdpForm form)
    {
        HiddenWeights = hidden;
        Last = last;
        Slopes = slopes;
        Pairs = pairs;
        Form = form;
        InputSize = hidden.Length > 0 ? hidden[0].ColumnCount : last.ColumnCount;
        Offsets = new int[hidden.Length + 1];
        for (int k = 0; k < hidden.Length; k++) Offsets[k + 1] = Offsets[k] + hidden[k].RowCount;
        Group = new int[Hidden];
        int groups = 0;
        for (int k = 0; k < hidden.Length; k++)
        {
            int o = Offsets[k];
            if (form == LipSdpForm.Neuron)
                for (int i = o; i < Offsets[k + 1]; i++) Group[i] = groups++;
            else if (pairs[k] is { } pk)
            {
                // Layer form of a pair layer: one multiplier for all reflected directions, one for all kept ones
                for (int j = 0; j < pk.Count; j++) { Group[o + pk.P[j]] = groups; Group[o + pk.Q[j]] = groups + 1; }
                groups += 2;
            }
            else
            {
                for (int i = o; i < Offsets[k + 1]; i++) Group[i] = groups;
                groups++;
            }
        }
        GroupCount = groups;
    }

    /// <summary>W_0 … W_{l−1}: the layers that produce hidden neurons.</summary>
    public Matrix<double>[] HiddenWeights { get; }

    /// <summary>W_l, the output layer.</summary>
    public Matrix<double> Last { get; }

    /// <summary>β_k, the upper slope bound of each hidden layer's activation (its lower bound is 0); 1 for pair layers.</summary>
    public double[] Slopes { get; }

    /// <summary>The pairwise activation of each hidden layer (null for slope-restricted layers).</summary>
    public PairActivation?[] Pairs { get; }

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
        var pairs = new PairActivation?[layers.Count - 1];
        for (int k = 0; k < hidden.Length; k++)
        {
            hidden[k] = Matrix<double>.Build.DenseOfArray(layers[k].Weight);
            if (layers[k].Pairs is { } pk)
            {
                pairs[k] = pk;
                slopes[k] = 1;
                continue;
            }
            // A slope restriction [α, β] with α >= 0 implies [0, β], the sector the problem encodes (sound, looser for α > 0).
            var a = layers[k].Activation!;
            if (a.MinSlope < 0 || !double.IsFinite(a.MaxSlope))
                throw new VerifyException($"LipSDP: layer {k} has activation {a.OpType}, which is not slope-restricted in [0, β] for a finite β");
            slopes[k] = a.MaxSlope;
        }
        return new LipSdpProblem(hidden, Matrix<double>.Build.DenseOfArray(layers[^1].Weight), slopes, pairs, form);
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
        return new LipSdpProblem(reduced, Last, Slopes, Pairs, Form);
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
    public Matrix<double> Matrix(double rho, IReadOnlyList<double> lambda) =>
        Matrix(Enumerable.Repeat(rho, InputSize).ToArray(), lambda);

    /// <summary>M with the input block −diag(μ) + (pair terms) instead of −ρI (the l∞ variant's matrix).</summary>
    public Matrix<double> Matrix(double[] inputWeights, IReadOnlyList<double> lambda)
    {
        if (HiddenWeights.Length == 0)
            return Last.TransposeThisAndMultiply(Last) - Matrix<double>.Build.DenseOfDiagonalArray(inputWeights);
        var m = Matrix<double>.Build.Dense(Dimension, Dimension);
        var q = InputQuadratic(lambda);
        m.SetSubMatrix(0, 0, q - Matrix<double>.Build.DenseOfDiagonalArray(inputWeights));
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
            int o = Offsets[k], size = Offsets[k + 1] - o;
            if (Pairs[k] is not null)
            {
                var d = PairMatrix(k, lambda);
                n.SetSubMatrix(o, o, n.SubMatrix(o, size, o, size) - d);
                if (k == 0) continue;
                int po = Offsets[k - 1], psize = o - po;
                n.SetSubMatrix(po, po, n.SubMatrix(po, psize, po, psize) + HiddenWeights[k].TransposeThisAndMultiply(d * HiddenWeights[k]));
                continue;
            }
            for (int i = o; i < Offsets[k + 1]; i++) n[i, i] += -2 * lambda[i];
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

    /// <summary>The block of M coupling the first hidden layer to the input: β_1 T_1 W_0 (n_1 × n_0); zero for a pair layer.</summary>
    public Matrix<double> InputCoupling(IReadOnlyList<double> lambda) => Pairs[0] is not null
        ? Matrix<double>.Build.Dense(HiddenWeights[0].RowCount, InputSize)
        : ScaledRows(HiddenWeights[0], lambda, 0, Slopes[0]);

    /// <summary>The λ-dependent part of M's input block: W_0ᵀD_0W_0 when the first hidden layer is a pair layer, else 0.</summary>
    public Matrix<double> InputQuadratic(IReadOnlyList<double> lambda) => HiddenWeights.Length > 0 && Pairs[0] is not null
        ? HiddenWeights[0].TransposeThisAndMultiply(PairMatrix(0, lambda) * HiddenWeights[0])
        : Matrix<double>.Build.Dense(InputSize, InputSize);

    /// <summary>D_k = Σ_pairs λ_p ââᵀ + λ_q b̂b̂ᵀ of pair layer k (n_k × n_k).</summary>
    Matrix<double> PairMatrix(int k, IReadOnlyList<double> lambda)
    {
        var pk = Pairs[k]!;
        int o = Offsets[k], size = Offsets[k + 1] - o;
        var d = Matrix<double>.Build.Dense(size, size);
        for (int j = 0; j < pk.Count; j++)
        {
            var (a1, a2, b1, b2) = pk.Directions(j);
            double la = lambda[o + pk.P[j]], lb = lambda[o + pk.Q[j]];
            int p = pk.P[j], q = pk.Q[j];
            d[p, p] += la * a1 * a1 + lb * b1 * b1;
            d[q, q] += la * a2 * a2 + lb * b2 * b2;
            double off = la * a1 * a2 + lb * b1 * b2;
            d[p, q] += off;
            d[q, p] += off;
        }
        return d;
    }

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
            if (Pairs[k] is { } pk)
                for (int j = 0; j < pk.Count; j++)
                {
                    var (a1, a2, b1, b2) = pk.Directions(j);
                    int p = pk.P[j], q = pk.Q[j];
                    double av = a1 * pre[p] + a2 * pre[q], ax = a1 * cur[p] + a2 * cur[q];
                    double bv = b1 * pre[p] + b2 * pre[q], bx = b1 * cur[p] + b2 * cur[q];
                    per[o + p] = av * av - ax * ax;
                    per[o + q] = bv * bv - bx * bx;
                }
            else
                for (int i = 0; i < size; i++) per[o + i] = 2 * cur[i] * (Slopes[k] * pre[i] - cur[i]);
            x = cur;
        }
        var y = Last * x;
        return (z.SubVector(0, InputSize).DotProduct(z.SubVector(0, InputSize)), per, y.DotProduct(y));
    }
}
