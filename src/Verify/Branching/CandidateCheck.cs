using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Branching;

/// <summary>
/// Tests candidate points found during branch and bound: those unsafe under our forward pass are confirmed by the
/// caller (ONNX Runtime) before they count.
/// </summary>
public static class CandidateCheck
{
    /// <summary>
    /// The corner of each box [lower, upper] ([n, inputs]) that minimises the linear lower bound of the hardest atom:
    /// <paramref name="inputA"/> [n, atoms, inputs] are the bound's input coefficients, <paramref name="atomLower"/>
    /// [n, atoms] its values (masked atoms at -inf).
    /// </summary>
    public static Tensor WorstCorner(Tensor inputA, Tensor atomLower, Tensor lower, Tensor upper)
    {
        var worst = atomLower.argmax(1);
        var a = inputA.gather(1, worst.reshape(-1, 1, 1).expand(-1, 1, inputA.shape[2])).squeeze(1);
        return torch.where(a > 0, lower, upper);
    }

    /// <summary>
    /// A few signed-gradient steps from <paramref name="points"/> [n, inputs] on the violation of each point's
    /// disjunct, projected onto the boxes [lower, upper] ([n, inputs]): the attack continued inside branch-and-bound
    /// domains, so that a domain's counterexample is found before it is split to the bottom. Stops early when
    /// <paramref name="cancel"/> fires.
    /// </summary>
    public static Tensor Refine(Graph.ComputationGraph graph, SpecBatch spec, Tensor points, Tensor flatDisjunct,
        Tensor lower, Tensor upper, int steps = 8, CancellationToken cancel = default)
    {
        var x = points.detach();
        var width = upper - lower;
        for (int t = 0; t < steps && !cancel.IsCancellationRequested; t++)
        {
            using var scope = torch.NewDisposeScope();
            var xv = x.detach().requires_grad_(true);
            var v = spec.Violation(graph.Forward(xv).reshape(xv.shape[0], -1), flatDisjunct);
            var grad = torch.autograd.grad(new[] { v.sum() }, new[] { xv })[0];
            double size = 0.25 * (1.0 - (double)t / steps) + 0.02;
            x = torch.minimum(torch.maximum(xv.detach() - size * width * grad.sign(), lower), upper).MoveToOuterDisposeScope();
        }
        return x;
    }

    /// <summary>
    /// The first confirmed counterexample among points [n, inputs] paired with flat disjunct indices [n], trying at most
    /// <paramref name="maxConfirmations"/> points that look unsafe under our forward pass, most violating first.
    /// </summary>
    public static Counterexample? Find(Graph.ComputationGraph graph, SpecBatch spec, Tensor points, Tensor flatDisjunct,
        Func<int, double[], Counterexample?> confirm, int maxConfirmations = 4)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var y = graph.Forward(points).reshape(points.shape[0], -1);
        var v = spec.Violation(y, flatDisjunct);
        var order = v.argsort();
        var sorted = v.index_select(0, order).to(ScalarType.Float64).cpu().data<double>().ToArray();
        int tried = 0;
        for (int i = 0; i < sorted.Length && tried < maxConfirmations && sorted[i] <= 1e-6; i++, tried++)
        {
            long row = order[i].item<long>();
            var x = points[row].to(ScalarType.Float64).cpu().data<double>().ToArray();
            int caseIndex = (int)(flatDisjunct[row].item<long>() / spec.Disjuncts);
            if (confirm(caseIndex, x) is { } cex) return cex;
        }
        return null;
    }
}
