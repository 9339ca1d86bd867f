using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies;

/// <summary>
/// Fits a learned-index network to the CDF of a synthetic key distribution (a lognormal mixture mapped to [0, 1]): the
/// network maps a key to its rank fraction, so the trained function is smooth and nearly monotone, as the learned-index
/// networks of VNN-COMP are.
/// </summary>
public static class IndexTraining
{
    /// <summary>
    /// Trains <paramref name="weights"/> (Gemm weights [out, in] and biases, ReLU between) with Adam for
    /// <paramref name="steps"/> minibatches, replacing its entries by the trained tensors; returns the last minibatch's
    /// mean squared error.
    /// </summary>
    public static double Fit(List<(Tensor W, Tensor B)> weights, int steps, Generator generator, int keys = 20000, int batch = 512)
    {
        using var scope = NewDisposeScope();
        // Keys: two lognormal clusters, squashed to [0, 1]; target: the empirical CDF (rank / keys).
        var a = (torch.randn(keys / 2, dtype: float64, generator: generator) * 0.5).exp();
        var b = (torch.randn(keys - keys / 2, dtype: float64, generator: generator) * 0.3 + 1.5).exp();
        var raw = torch.cat(new[] { a, b }).sort().Values;
        var x = ((raw - raw.min()) / (raw.max() - raw.min())).to_type(float32).unsqueeze(1);
        var target = (torch.arange(keys, dtype: float32) / (keys - 1)).unsqueeze(1);
        var parameters = weights.Select(p => (W: new TorchSharp.Modules.Parameter(p.W.clone()), B: new TorchSharp.Modules.Parameter(p.B.clone())))
            .ToList();
        var optimizer = torch.optim.Adam(parameters.SelectMany(p => new[] { p.W, p.B }).ToArray(), lr: 1e-3);
        var live = parameters.Select(p => ((Tensor)p.W, (Tensor)p.B)).ToList();
        double loss = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var idx = torch.randint(0, keys, new long[] { batch }, generator: generator);
            var y = Forward(live, x.index_select(0, idx));
            var l = torch.nn.functional.mse_loss(y, target.index_select(0, idx));
            optimizer.zero_grad();
            l.backward();
            optimizer.step();
            loss = l.item<float>();
        }
        for (int k = 0; k < weights.Count; k++)
            weights[k] = (parameters[k].W.detach().clone().MoveToOuterDisposeScope(), parameters[k].B.detach().clone().MoveToOuterDisposeScope());
        return loss;
    }

    static Tensor Forward(List<(Tensor W, Tensor B)> weights, Tensor x)
    {
        for (int k = 0; k < weights.Count; k++)
        {
            x = torch.nn.functional.linear(x, weights[k].W, weights[k].B);
            if (k < weights.Count - 1) x = torch.nn.functional.relu(x);
        }
        return x;
    }
}
