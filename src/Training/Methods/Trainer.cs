using System.Diagnostics;
using Verify.Training.Bounds;
using Verify.Training.Data;
using Verify.Training.Lipschitz;
using Verify.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Training.Methods;

/// <summary>Runs a training method on a network, epoch by epoch, evaluating on a fixed test sample after each.</summary>
public sealed class Trainer(Network net, TrainOptions options)
{
    /// <summary>Called after every batch.</summary>
    public Action<BatchProgress>? OnBatch { get; init; }

    /// <summary>Called after every epoch.</summary>
    public Action<EpochRecord>? OnEpoch { get; init; }

    /// <summary>
    /// Trains on <paramref name="train"/>, evaluates on <paramref name="test"/> (its first EvalCount images) before
    /// training (epoch 0) and after every epoch.
    /// </summary>
    public IReadOnlyList<EpochRecord> Run(ImageSet train, ImageSet test, CancellationToken cancel = default)
    {
        var device = net.Device;
        var gen = new Generator((ulong)options.Seed, device);
        if (options.TrainLimit > 0) train = train.Take(options.TrainLimit);
        var evalSet = test.Take(options.EvalCount);
        var tightSet = test.Take(options.TightnessCount).Images;
        long n = train.Count;
        long batches = (n + options.BatchSize - 1) / options.BatchSize;
        var schedule = new EpsSchedule((long)(options.WarmupEpochs * batches), (long)(options.RampEpochs * batches),
            options.TrainEps, options.Ramp);
        var constraint = options.SpectralNorm > 0
            ? new SpectralConstraint(net, options.SpectralNorm, options.SpectralMethod, options.SpectralLearningRate, options.Seed, options.SpectralDirections) : null;
        constraint?.Step();
        var adam = optim.Adam(constraint?.OptimizerParameters(net) ?? net.parameters(), lr: options.LearningRate);
        double lr = options.LearningRate;
        if (options.Epochs == 0) constraint?.Finish();
        var history = new List<EpochRecord>();
        var watch = new Stopwatch();
        long step = 0;
        // Epoch 0: the untrained network (its accuracy and IBP tightness start the curves).
        var initial = Evaluation.Run(net, evalSet, options.Eps, options.EvalPgdSteps);
        var first = new EpochRecord(0, 0, double.NaN, double.NaN, initial.Clean, initial.Certified, initial.Pgd,
            Tightness.Measure(net, tightSet), 0, lr);
        history.Add(first);
        OnEpoch?.Invoke(first);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (options.LrDecayEpochs.Contains(epoch))
            {
                lr *= options.LrDecayFactor;
                foreach (var g in adam.ParamGroups) g.LearningRate = lr;
            }
            watch.Start();
            var perm = torch.randperm(n, generator: gen, device: device);
            double lossSum = 0, correctSum = 0;
            long seen = 0;
            double eps = 0;
            for (long b = 0; b < batches; b++, step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var idx = perm.narrow(0, b * options.BatchSize, Math.Min(options.BatchSize, n - b * options.BatchSize));
                var x = train.Images.index_select(0, idx);
                var y = train.Labels.index_select(0, idx);
                eps = options.Method is TrainingMethod.Natural ? 0 : schedule.EpsAt(step);
                constraint?.Prepare();
                var (loss, logits) = Loss(x, y, eps, schedule, step, gen);
                adam.zero_grad();
                loss.backward();
                if (options.GradClip > 0) nn.utils.clip_grad_norm_(net.parameters(), options.GradClip);
                adam.step();
                constraint?.Step();
                long m = y.shape[0];
                lossSum += loss.item<float>() * m;
                correctSum += logits.argmax(1).eq(y).sum().item<long>();
                seen += m;
                OnBatch?.Invoke(new BatchProgress(epoch, options.Epochs, b + 1, batches, eps, lossSum / seen, correctSum / seen));
            }
            BatchNormCalibration.Run(net, train);
            if (epoch == options.Epochs) constraint?.Finish();
            watch.Stop();
            var acc = Evaluation.Run(net, evalSet, options.Eps, options.EvalPgdSteps);
            double tight = Tightness.Measure(net, tightSet);
            var record = new EpochRecord(epoch, eps, lossSum / seen, correctSum / seen, acc.Clean, acc.Certified, acc.Pgd,
                tight, watch.Elapsed.TotalSeconds, lr);
            history.Add(record);
            OnEpoch?.Invoke(record);
        }
        return history;
    }

    /// <summary>The loss of one batch and the clean logits (for the training accuracy).</summary>
    (Tensor Loss, Tensor Logits) Loss(Tensor x, Tensor y, double eps, EpsSchedule schedule, long step, Generator gen)
    {
        var state = RunState.Train();
        switch (options.Method)
        {
            case TrainingMethod.Natural:
            {
                var z = net.Forward(x, state);
                return (CrossEntropy(z, y), z);
            }
            case TrainingMethod.Pgd:
            {
                if (eps <= 0) goto case TrainingMethod.Natural;
                var xa = PgdAttack.Train(v => net.Forward(v, RunState.Eval()), x, y, eps, options.PgdSteps, StepSize(eps), gen);
                var z = net.Forward(xa, state);
                return (CrossEntropy(z, y), z);
            }
            case TrainingMethod.Trades:
            {
                if (eps <= 0) goto case TrainingMethod.Natural;
                var xa = Trades.Attack(v => net.Forward(v, RunState.Eval()), x, eps, options.PgdSteps, StepSize(eps), gen);
                var z = net.Forward(x, state);
                var za = net.Forward(xa, RunState.Train());
                var loss = nn.functional.cross_entropy(z, y) + options.TradesBeta * Trades.Kl(nn.functional.softmax(z, 1), za);
                return (loss, z);
            }
            default:
            {
                var z = net.Forward(x, state);
                var natural = nn.functional.cross_entropy(z, y);
                if (eps <= 0) return (natural, z);
                var (lo, hi) = PixelBall.Of(x, eps);
                var boxes = IbpPass.LayerInputs(net, lo, hi, state);
                var c = options.LossFusion ? null : MarginSpec.Matrix(y, net.Last.Weight.shape[0]);
                // With loss fusion nothing costs K backward rows or K² products: the IBP margins by gathered rows.
                var lower = options.LossFusion ? FoldedIbp.MarginLower(net, boxes, y) : IbpPass.SpecLower(net, boxes, c!);
                Tensor? fused = null;
                if (options.Method == TrainingMethod.CrownIbp)
                {
                    double beta = schedule.Mix(step, options.BetaStart, 0);
                    if (beta > 0 && options.LossFusion)
                        fused = beta * LossFusion.Upper(net, boxes, y, lo, hi, state).Upper.mean() + (1 - beta) * MarginSpec.RobustLoss(lower, y);
                    else if (beta > 0) lower = beta * CrownIbp.SpecLower(net, boxes, c!, lo, hi, state) + (1 - beta) * lower;
                }
                double kappa = schedule.Mix(step, options.KappaStart, options.KappaEnd);
                var loss = kappa * natural + (1 - kappa) * (fused ?? MarginSpec.RobustLoss(lower, y));
                if (options.RegLambda > 0 && eps < options.TrainEps)
                    loss = loss + options.RegLambda * (1 - eps / options.TrainEps) * WarmupRegularizer.Compute(net, boxes);
                return (loss, z);
            }
        }
    }

    Tensor CrossEntropy(Tensor z, Tensor y) => options.Margin?.Compute(z, y) ?? nn.functional.cross_entropy(z, y);

    double StepSize(double eps) => options.PgdStepFraction > 0 ? options.PgdStepFraction * eps : 2.5 * eps / Math.Max(1, options.PgdSteps);
}
