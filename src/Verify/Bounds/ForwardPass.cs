using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Bounds;

/// <summary>
/// Forward linear bound propagation: every node gets a lower and an upper linear function of the input,
/// stored as coefficient tensors [batch, inputs + 1, ...shape] (the last slot is the constant). Cheap when the input
/// has few dimensions (its cost grows with inputs, not with the number of neurons bounded), so it gives the
/// intermediate bounds of input-splitting branch and bound.
/// </summary>
public static class ForwardPass
{
    /// <summary>
    /// Bounds of every node up to the output over the boxes [batch, ...input shape]: the forward linear bounds
    /// concretised over the box and intersected with IBP. <paramref name="refine"/> may tighten each node's bounds.
    /// </summary>
    public static IntervalBounds[] Intermediate(ComputationGraph graph, IntervalBounds box,
        Func<int, IntervalBounds, IntervalBounds>? refine = null) => Intermediate(graph, box, out _, refine);

    /// <summary>
    /// As <see cref="Intermediate(ComputationGraph, IntervalBounds, Func{int, IntervalBounds, IntervalBounds}?)"/>, and
    /// also each input dimension's influence on the inexact neurons ([batch, inputs]): the sum over every neuron whose
    /// relaxation is inexact of |its linear coefficient on the dimension|·the dimension's width (ReluVal's smear).
    /// </summary>
    public static IntervalBounds[] Intermediate(ComputationGraph graph, IntervalBounds box, out Tensor influence,
        Func<int, IntervalBounds, IntervalBounds>? refine = null, CancellationToken cancel = default)
    {
        long batch = box.Lower.shape[0], d = graph.InputSize;
        var lo = box.Lower.reshape(batch, d);
        var hi = box.Upper.reshape(batch, d);
        var bounds = new IntervalBounds[graph.Nodes.Count];
        var linear = new IntervalBounds[graph.Nodes.Count];
        bounds[0] = new IntervalBounds(lo.reshape(ComputationGraph.Batched(batch, graph.InputShape)),
            hi.reshape(ComputationGraph.Batched(batch, graph.InputShape)));
        // x = I·x + 0: the identity coefficients with a zero constant slot.
        var identity = torch.cat(new[] { torch.eye(d, dtype: lo.dtype, device: lo.device),
            torch.zeros(1, d, dtype: lo.dtype, device: lo.device) }).unsqueeze(0).expand(batch, d + 1, d);
        var inputFunctions = identity.reshape(new[] { batch, d + 1 }.Concat(graph.InputShape).ToArray());
        linear[0] = new IntervalBounds(inputFunctions, inputFunctions);
        var smear = torch.zeros(batch, d, dtype: lo.dtype, device: lo.device);
        for (int i = 1; i <= graph.OutputIndex; i++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var n = graph.Nodes[i];
            var ibp = n.Op.Interval(n.Inputs.Select(j => bounds[j]).ToArray());
            var f = Propagate(graph, n, linear, bounds, batch, d);
            var b = ibp;
            if (f is { } fl)
            {
                var concrete = Concretize(fl, lo, hi, batch, d, n.Shape);
                b = b.Intersect(concrete);
                linear[i] = new IntervalBounds(fl.Lower.MoveToOuterDisposeScope(), fl.Upper.MoveToOuterDisposeScope());
            }
            if (refine is not null) b = refine(i, b);
            bounds[i] = new IntervalBounds(b.Lower.MoveToOuterDisposeScope(), b.Upper.MoveToOuterDisposeScope());
            if (f is { } g && Inexact(graph, i, bounds[i]) is { } inexact)
            {
                var coef = (g.Lower.abs() + g.Upper.abs()).reshape(batch, d + 1, -1).narrow(1, 0, d);
                var add = (coef * inexact.reshape(batch, 1, -1)).sum(2);
                smear.add_(add);
            }
            if (f is null)
                linear[i] = Constant(bounds[i], batch, d).MoveOut();
            Release(graph, linear, i);
        }
        influence = smear * (hi - lo);
        return bounds;
    }

    /// <summary>
    /// Frees the linear functions of node i's inputs that no later node reads (a chain keeps two nodes' functions alive,
    /// not all of them), unless a live node's functions are the same tensors.
    /// </summary>
    static void Release(ComputationGraph graph, IntervalBounds[] linear, int i)
    {
        foreach (int j in graph.Nodes[i].Inputs.Distinct())
        {
            if (linear[j].Lower is null || graph.Consumers[j].Any(c => c > i) || j == graph.OutputIndex) continue;
            bool shared = false;
            for (int k = 0; k <= i && !shared; k++)
            {
                if (k == j || linear[k].Lower is null || !(k == i || graph.Consumers[k].Any(c => c > i))) continue;
                shared = SameTensor(linear[k], linear[j].Lower) || SameTensor(linear[k], linear[j].Upper);
            }
            if (shared) continue;
            linear[j].Lower.Dispose();
            if (!ReferenceEquals(linear[j].Upper, linear[j].Lower)) linear[j].Upper.Dispose();
            linear[j] = default;
        }
    }

    static bool SameTensor(IntervalBounds b, Tensor t) => ReferenceEquals(b.Lower, t) || ReferenceEquals(b.Upper, t);

    /// <summary>Elements of node i ([batch, n] as 0/1) whose bounds feed an inexact relaxation of a consumer, or null.</summary>
    static Tensor? Inexact(ComputationGraph graph, int i, IntervalBounds b)
    {
        Tensor? mask = null;
        foreach (var c in graph.Consumers[i])
        {
            var node = graph.Nodes[c];
            if (!node.Op.NeedsInputBounds) continue;
            var m = node.Inputs.Length == 1 ? node.Op.Inexact(b) : null;
            var flat = m?.reshape(b.Lower.shape[0], -1) ?? torch.ones(b.Lower.shape[0], graph.Nodes[i].Numel, dtype: ScalarType.Bool, device: b.Lower.device);
            mask = mask is null ? flat : mask.logical_or(flat);
        }
        return mask?.to_type(b.Lower.dtype);
    }

    /// <summary>Linear bounds of node n from those of its inputs, or null when only constant bounds are known.</summary>
    static IntervalBounds? Propagate(ComputationGraph graph, Node n, IntervalBounds[] linear, IntervalBounds[] bounds, long batch, long d)
    {
        var inputs = n.Inputs.Select(j => linear[j]).ToArray();
        if (!n.Op.NeedsInputBounds)
        {
            // An affine rule applied to every slot; the coefficient slots then lose the rule's constant term f(0).
            var flat = inputs.Select((f, k) => new IntervalBounds(
                f.Lower.reshape(ComputationGraph.Batched(batch * (d + 1), graph.Nodes[n.Inputs[k]].Shape)),
                f.Upper.reshape(ComputationGraph.Batched(batch * (d + 1), graph.Nodes[n.Inputs[k]].Shape)))).ToArray();
            var r = n.Op.Interval(flat);
            var zeros = n.Inputs.Select(j => IntervalBounds.Point(torch.zeros(ComputationGraph.Batched(1, graph.Nodes[j].Shape),
                dtype: r.Lower.dtype, device: r.Lower.device))).ToArray();
            var offset = n.Op.Interval(zeros).Lower;
            var isConstantSlot = torch.zeros(d + 1, dtype: r.Lower.dtype, device: r.Lower.device);
            isConstantSlot[d] = 1;
            var keep = (1 - isConstantSlot).reshape(new[] { 1, d + 1 }.Concat(n.Shape.Select(_ => 1L)).ToArray());
            var shape = new[] { batch, d + 1 }.Concat(n.Shape).ToArray();
            var off = offset.reshape(new[] { 1L, 1 }.Concat(n.Shape).ToArray());
            return new IntervalBounds(r.Lower.reshape(shape) - keep * off, r.Upper.reshape(shape) - keep * off);
        }
        if (n.Op is ActivationOperator act && n.Inputs.Length == 1)
        {
            var ib = bounds[n.Inputs[0]];
            var rel = act.Relax(ib.Lower, ib.Upper);
            var f = inputs[0];
            var constantSlot = torch.zeros(d + 1, dtype: ib.Lower.dtype, device: ib.Lower.device);
            constantSlot[d] = 1;
            var slot = constantSlot.reshape(new[] { 1, d + 1 }.Concat(n.Shape.Select(_ => 1L)).ToArray());
            Tensor S(Tensor t) => t.unsqueeze(1);
            // y >= a_l·z + b_l >= a_l·(l(x) if a_l >= 0 else u(x)) + b_l, and symmetrically for the upper line.
            var al = S(rel.LowerSlope);
            var au = S(rel.UpperSlope);
            var lower = al.clamp_min(0) * f.Lower + al.clamp_max(0) * f.Upper + slot * S(rel.LowerIntercept);
            var upper = au.clamp_min(0) * f.Upper + au.clamp_max(0) * f.Lower + slot * S(rel.UpperIntercept);
            return new IntervalBounds(lower, upper);
        }
        return null;
    }

    /// <summary>Bounds of linear functions over the box: min/max of Λ·x + λ.</summary>
    static IntervalBounds Concretize(IntervalBounds f, Tensor lo, Tensor hi, long batch, long d, long[] shape)
    {
        var fl = f.Lower.reshape(batch, d + 1, -1);
        var fu = f.Upper.reshape(batch, d + 1, -1);
        var l3 = lo.unsqueeze(2);
        var h3 = hi.unsqueeze(2);
        var cl = fl.narrow(1, 0, d);
        var cu = fu.narrow(1, 0, d);
        var lower = (cl.clamp_min(0) * l3 + cl.clamp_max(0) * h3).sum(1) + fl.select(1, d);
        var upper = (cu.clamp_min(0) * h3 + cu.clamp_max(0) * l3).sum(1) + fu.select(1, d);
        var s = ComputationGraph.Batched(batch, shape);
        return new IntervalBounds(lower.reshape(s), upper.reshape(s));
    }

    /// <summary>Constant functions equal to the bounds (zero coefficients).</summary>
    static IntervalBounds Constant(IntervalBounds b, long batch, long d)
    {
        Tensor Of(Tensor v)
        {
            var zeros = torch.zeros(new[] { batch, d }.Concat(v.shape.Skip(1)).ToArray(), dtype: v.dtype, device: v.device);
            return torch.cat(new[] { zeros, v.unsqueeze(1) }, 1);
        }
        return new IntervalBounds(Of(b.Lower), Of(b.Upper));
    }

    static IntervalBounds MoveOut(this IntervalBounds b) => new(b.Lower.MoveToOuterDisposeScope(), b.Upper.MoveToOuterDisposeScope());
}
