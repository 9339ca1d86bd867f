using Verify.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Verification;

/// <summary>
/// A property as tensors for one batched bound pass: batch entry b is case b (an input box); specification
/// j·K + k is atom k of disjunct j, with margin C·y - D (the atom C·y &lt;= D is unsafe; margin &gt; 0 refutes it).
/// Padding atoms and disjuncts are masked.
/// </summary>
public sealed class SpecBatch
{
    SpecBatch(Tensor lower, Tensor upper, Tensor c, Tensor bias, Tensor atomMask, Tensor disjunctMask, int disjuncts, int atoms)
    {
        Lower = lower; Upper = upper; C = c; Bias = bias; AtomMask = atomMask; DisjunctMask = disjunctMask;
        Disjuncts = disjuncts; Atoms = atoms;
    }

    /// <summary>Box lower bounds [cases, inputs].</summary>
    public Tensor Lower { get; }

    /// <summary>Box upper bounds [cases, inputs].</summary>
    public Tensor Upper { get; }

    /// <summary>Output coefficients [cases, disjuncts·atoms, outputs].</summary>
    public Tensor C { get; }

    /// <summary>Margin offsets -D [cases, disjuncts·atoms].</summary>
    public Tensor Bias { get; }

    /// <summary>Which atoms are real [cases, disjuncts, atoms].</summary>
    public Tensor AtomMask { get; }

    /// <summary>Which disjuncts are real [cases, disjuncts].</summary>
    public Tensor DisjunctMask { get; }

    /// <summary>Largest number of disjuncts in a case.</summary>
    public int Disjuncts { get; }

    /// <summary>Largest number of atoms in a disjunct.</summary>
    public int Atoms { get; }

    /// <summary>Number of cases (input boxes).</summary>
    public long Cases => Lower.shape[0];

    /// <summary>Builds the tensors of a property on a device and dtype.</summary>
    public static SpecBatch From(VnnProperty property, Device device, ScalarType dtype)
    {
        int cases = property.Cases.Count, outputs = property.OutputSize, inputs = property.InputSize;
        int j = Math.Max(1, property.Cases.Max(c => c.Disjuncts.Count));
        int k = Math.Max(1, property.Cases.SelectMany(c => c.Disjuncts).Select(d => d.D.Length).DefaultIfEmpty(0).Max());
        var lo = new double[cases * inputs];
        var hi = new double[cases * inputs];
        var c = new double[cases * j * k * outputs];
        var bias = new double[cases * j * k];
        var atomMask = new bool[cases * j * k];
        var disjunctMask = new bool[cases * j];
        for (int b = 0; b < cases; b++)
        {
            var pc = property.Cases[b];
            Array.Copy(pc.Box.Lower, 0, lo, b * inputs, inputs);
            Array.Copy(pc.Box.Upper, 0, hi, b * inputs, inputs);
            for (int d = 0; d < pc.Disjuncts.Count; d++)
            {
                disjunctMask[b * j + d] = true;
                var conj = pc.Disjuncts[d];
                for (int a = 0; a < conj.D.Length; a++)
                {
                    int s = (b * j + d) * k + a;
                    atomMask[s] = true;
                    bias[s] = -conj.D[a];
                    Array.Copy(conj.C[a], 0, c, s * outputs, outputs);
                }
            }
        }
        Tensor T(double[] data, params long[] shape) => torch.tensor(data, dtype: ScalarType.Float64).reshape(shape).to(dtype, device);
        return new SpecBatch(T(lo, cases, inputs), T(hi, cases, inputs), T(c, cases, j * k, outputs), T(bias, cases, j * k),
            torch.tensor(atomMask).reshape(cases, j, k).to(device), torch.tensor(disjunctMask).reshape(cases, j).to(device), j, k);
    }

    /// <summary>
    /// Local robustness of classifiers as a batch: case i is the box [lower_i, upper_i] ([n, inputs]) and its disjuncts
    /// are "output j &gt;= output labels_i" for every other class j (one atom each, in class order).
    /// </summary>
    public static SpecBatch Robustness(Tensor lower, Tensor upper, Tensor labels, int classes)
    {
        if (classes < 2) throw new ArgumentException("robustness needs at least two classes");
        long n = labels.shape[0];
        var device = lower.device;
        var others = torch.tensor(Enumerable.Range(0, classes)
            .SelectMany(l => Enumerable.Range(0, classes).Where(j => j != l)).Select(j => (long)j).ToArray()).reshape(classes, classes - 1).to(device);
        var wrong = others.index_select(0, labels.to(ScalarType.Int64).to(device));
        var eye = torch.eye(classes, dtype: lower.dtype, device: device);
        // Atom "y_label - y_j <= 0" is unsafe: C = e_label - e_j, D = 0.
        var c = eye.index_select(0, labels.to(ScalarType.Int64).to(device)).unsqueeze(1) - eye.index_select(0, wrong.reshape(-1)).reshape(n, classes - 1, classes);
        return new SpecBatch(lower, upper, c, torch.zeros(n, classes - 1, dtype: lower.dtype, device: device),
            torch.ones(n, classes - 1, 1, dtype: ScalarType.Bool, device: device),
            torch.ones(n, classes - 1, dtype: ScalarType.Bool, device: device), classes - 1, 1);
    }

    /// <summary>
    /// For concrete outputs y [n, outputs] of points of cases <paramref name="caseIndex"/> ([n]): the violation of
    /// each of the case's disjuncts [n, disjuncts] (+inf for padding); &lt;= 0 means the point satisfies that disjunct.
    /// </summary>
    public Tensor DisjunctViolations(Tensor y, Tensor caseIndex)
    {
        long n = caseIndex.shape[0];
        var c = C.index_select(0, caseIndex).reshape(n, Disjuncts, Atoms, -1);
        var bias = Bias.index_select(0, caseIndex).reshape(n, Disjuncts, Atoms);
        var margins = (c * y.reshape(n, 1, 1, -1)).sum(3) + bias;
        var atoms = margins.masked_fill(AtomMask.index_select(0, caseIndex).logical_not(), double.NegativeInfinity).amax(2);
        return atoms.masked_fill(DisjunctMask.index_select(0, caseIndex).logical_not(), double.PositiveInfinity);
    }

    /// <summary>The smallest of <see cref="DisjunctViolations"/> per point [n]; &lt;= 0 means the point lies in the unsafe set.</summary>
    public Tensor CaseViolation(Tensor y, Tensor caseIndex) => DisjunctViolations(y, caseIndex).amin(1);

    /// <summary>
    /// Lower bound of each disjunct [cases, disjuncts] from atom margin lower bounds [cases, disjuncts·atoms]: the
    /// largest atom bound (one refuted atom refutes the conjunction); padding disjuncts get +inf, disjuncts without
    /// atoms -inf (nothing refutes "true").
    /// </summary>
    public Tensor DisjunctLower(Tensor atomLower)
    {
        var m = atomLower.reshape(Cases, Disjuncts, Atoms).masked_fill(AtomMask.logical_not(), double.NegativeInfinity);
        var best = m.amax(2);
        return best.masked_fill(DisjunctMask.logical_not(), double.PositiveInfinity);
    }

    /// <summary>
    /// The atoms of the given disjuncts (flat indices case·Disjuncts + disjunct, [n]) for branch and bound:
    /// coefficients [n, rows, outputs], margin offsets [n, rows] and which rows are real [n, rows]. When disjuncts
    /// have several atoms, an extra row holds their mean (real when a disjunct has two or more): a lower bound of the
    /// mean is one of the largest margin, so it refutes conjunctions whose atoms are only jointly unreachable.
    /// </summary>
    public (Tensor C, Tensor Bias, Tensor Mask) AtomsOf(Tensor flatDisjunct)
    {
        var c = C.reshape(Cases * Disjuncts, Atoms, -1).index_select(0, flatDisjunct);
        var bias = Bias.reshape(Cases * Disjuncts, Atoms).index_select(0, flatDisjunct);
        var mask = AtomMask.reshape(Cases * Disjuncts, Atoms).index_select(0, flatDisjunct);
        if (Atoms < 2) return (c, bias, mask);
        var weight = mask.to_type(c.dtype);
        var count = weight.sum(1, keepdim: true);
        var share = weight / count.clamp_min(1);
        var meanC = (c * share.unsqueeze(2)).sum(1, keepdim: true);
        var meanBias = (bias * share).sum(1, keepdim: true);
        var meanMask = count >= 2;
        return (torch.cat(new[] { c, meanC }, 1), torch.cat(new[] { bias, meanBias }, 1), torch.cat(new[] { mask, meanMask }, 1));
    }

    /// <summary>The case of each flat disjunct index.</summary>
    public Tensor CaseOf(Tensor flatDisjunct) => torch.div(flatDisjunct, Disjuncts, rounding_mode: RoundingMode.floor).to_type(ScalarType.Int64);

    /// <summary>
    /// For concrete outputs y [n, outputs], each paired with a disjunct (flat index case·Disjuncts + disjunct,
    /// [n]): the largest atom margin [n]. A value &lt;= 0 means y satisfies that disjunct (lies in the unsafe set).
    /// </summary>
    public Tensor Violation(Tensor y, Tensor flatDisjunct)
    {
        long n = flatDisjunct.shape[0];
        var c = C.reshape(Cases * Disjuncts, Atoms, -1).index_select(0, flatDisjunct);
        var bias = Bias.reshape(Cases * Disjuncts, Atoms).index_select(0, flatDisjunct);
        var margins = (c * y.reshape(n, 1, -1)).sum(2) + bias;
        var mask = AtomMask.reshape(Cases * Disjuncts, Atoms).index_select(0, flatDisjunct);
        return margins.masked_fill(mask.logical_not(), double.NegativeInfinity).amax(1);
    }
}
