using TorchSharp;
using Verify.Operators;
using static TorchSharp.torch;

using Verify.Lipschitz;

namespace Verify.Cli.Studies;

/// <summary>Options of the study's plain MLP training.</summary>
/// <param name="Epochs">Passes over the data.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="Seed">Seed of the initial weights and of the batch order.</param>
public sealed record TrainingOptions(int Epochs = 15, int BatchSize = 128, double LearningRate = 3e-3, int Seed = 0);

/// <summary>Trains a ReLU MLP by cross-entropy with Adam (seeded, CPU) and returns it as dense layers.</summary>
public static class MlpTrainer
{
    /// <summary>Trains the MLP with the given widths (input first, classes last) and returns it with its training accuracy.</summary>
    public static (DenseNetwork Network, double Accuracy) Train(int[] widths, Tensor x, Tensor y, TrainingOptions options)
    {
        var gen = new Generator((ulong)options.Seed + 1);
        var weights = new List<TorchSharp.Modules.Parameter>();
        var biases = new List<TorchSharp.Modules.Parameter>();
        for (int k = 1; k < widths.Length; k++)
        {
            weights.Add(new TorchSharp.Modules.Parameter(randn(widths[k], widths[k - 1], generator: gen, dtype: ScalarType.Float32, device: CPU) * Math.Sqrt(2.0 / widths[k - 1])));
            biases.Add(new TorchSharp.Modules.Parameter(zeros(widths[k], dtype: ScalarType.Float32, device: CPU)));
        }
        Tensor Forward(Tensor input)
        {
            var h = input;
            for (int k = 0; k < weights.Count; k++)
            {
                h = h.matmul(weights[k].t()) + biases[k];
                if (k < weights.Count - 1) h = h.relu();
            }
            return h;
        }
        var optimizer = optim.Adam(weights.Concat(biases), options.LearningRate);
        long n = x.shape[0];
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var order = randperm(n, generator: gen, device: CPU);
            for (long s = 0; s < n; s += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                var idx = order.narrow(0, s, Math.Min(options.BatchSize, n - s));
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(Forward(x.index_select(0, idx)), y.index_select(0, idx));
                loss.backward();
                optimizer.step();
            }
        }
        double accuracy;
        using (no_grad()) accuracy = Forward(x).argmax(1).eq(y).to_type(ScalarType.Float64).mean().item<double>();
        var layers = new List<DenseLayer>();
        for (int k = 0; k < weights.Count; k++)
        {
            var w = weights[k].detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
            int o = widths[k + 1], i = widths[k];
            var m = new double[o, i];
            Buffer.BlockCopy(w, 0, m, 0, w.Length * sizeof(double));
            layers.Add(new DenseLayer(m, biases[k].detach().to_type(ScalarType.Float64).data<double>().ToArray(),
                k < weights.Count - 1 ? new Relu() : null));
        }
        return (new DenseNetwork(layers), accuracy);
    }
}
