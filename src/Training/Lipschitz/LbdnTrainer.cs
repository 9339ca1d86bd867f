using System.Diagnostics;
using Verify.Training.Data;
using Verify.Training.Methods;
using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Lipschitz;

/// <summary>
/// Trains an <see cref="LbdnNetwork"/> with the margin cross-entropy (<see cref="MarginLoss"/>, offset √2 γ r_train)
/// on clean or l2-PGD images, Adam with a cosine learning-rate decay to 0 (or step decays), and evaluates the fixed
/// test sample after every epoch with the certificate margin &gt; √2 γ r.
/// </summary>
public sealed class LbdnTrainer(LbdnNetwork net, LbdnOptions options)
{
    /// <summary>Called after every batch.</summary>
    public Action<BatchProgress>? OnBatch { get; init; }

    /// <summary>Called after every epoch.</summary>
    public Action<L2EpochRecord>? OnEpoch { get; init; }

    /// <summary>Trains on <paramref name="train"/>; evaluates the first EvalCount images of <paramref name="test"/> before training and after every epoch.</summary>
    public IReadOnlyList<L2EpochRecord> Run(ImageSet train, ImageSet test, CancellationToken cancel = default)
    {
        var device = net.Device;
        var gen = new Generator((ulong)options.Seed, device);
        if (options.TrainLimit > 0) train = train.Take(options.TrainLimit);
        var evalSet = test.Take(options.EvalCount);
        long n = train.Count;
        long batches = (n + options.BatchSize - 1) / options.BatchSize;
        long total = batches * options.Epochs;
        var loss = MarginLoss.For(net.Gamma, options.TrainRadius, options.Temperature);
        var adam = optim.Adam(net.parameters(), lr: options.LearningRate);
        double stepLr = options.LearningRate;
        var history = new List<L2EpochRecord>();
        var watch = new Stopwatch();
        long step = 0;
        history.Add(Evaluate(0, double.NaN, double.NaN, evalSet, 0, options.LearningRate));
        OnEpoch?.Invoke(history[^1]);
        double lr = options.LearningRate;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (options.LrDecayEpochs.Contains(epoch)) stepLr *= options.LrDecayFactor;
            watch.Start();
            var perm = torch.randperm(n, generator: gen, device: device);
            double lossSum = 0, correctSum = 0;
            long seen = 0;
            for (long b = 0; b < batches; b++, step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                lr = options.LrDecayEpochs.Length > 0 ? stepLr : options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / total));
                foreach (var g in adam.ParamGroups) g.LearningRate = lr;
                var idx = perm.narrow(0, b * options.BatchSize, Math.Min(options.BatchSize, n - b * options.BatchSize));
                var x = train.Images.index_select(0, idx);
                var y = train.Labels.index_select(0, idx);
                if (options.Method == TrainingMethod.Pgd && options.TrainRadius > 0)
                    x = L2Pgd.Train(v => net.forward(v), x, y, options.TrainRadius, options.PgdSteps, gen);
                var z = net.forward(x);
                var l = loss.Compute(z, y);
                adam.zero_grad();
                l.backward();
                adam.step();
                long m = y.shape[0];
                lossSum += l.item<float>() * m;
                correctSum += z.argmax(1).eq(y).sum().item<long>();
                seen += m;
                OnBatch?.Invoke(new BatchProgress(epoch, options.Epochs, b + 1, batches, options.TrainRadius, lossSum / seen, correctSum / seen));
            }
            watch.Stop();
            history.Add(Evaluate(epoch, lossSum / seen, correctSum / seen, evalSet, watch.Elapsed.TotalSeconds, lr));
            OnEpoch?.Invoke(history[^1]);
        }
        return history;
    }

    L2EpochRecord Evaluate(int epoch, double loss, double trainAcc, ImageSet set, double seconds, double lr)
    {
        var acc = L2Evaluation.Run(v => net.forward(v), set, net.Gamma, options.Radius, options.EvalPgdSteps);
        return new L2EpochRecord(epoch, loss, trainAcc, acc.Clean, acc.Certified, acc.Pgd, net.Gamma, seconds, lr);
    }
}
