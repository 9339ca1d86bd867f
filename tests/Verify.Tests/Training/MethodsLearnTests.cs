using TorchSharp;
using Verify.Training.Bounds;
using Verify.Training.Methods;
using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>Each training method learns a few hundred synthetic points in seconds.</summary>
public class MethodsLearnTests
{
    static TrainOptions Options(TrainingMethod method) => new()
    {
        Method = method, Eps = 0.1, TrainEps = 0.1, Epochs = 30, WarmupEpochs = 2, RampEpochs = 10, BatchSize = 50,
        LearningRate = 5e-3, KappaStart = 1, KappaEnd = 0.5, EvalCount = 200, EvalPgdSteps = 10, TightnessCount = 20, PgdSteps = 5,
    };

    static IReadOnlyList<EpochRecord> Train(TrainingMethod method, bool batchNorm, double regLambda = 0)
    {
        var net = SyntheticData.Small(conv: true, batchNorm, seed: 3);
        if (method is TrainingMethod.Ibp or TrainingMethod.CrownIbp) ModelZoo.IbpInit(net);
        var trainer = new Trainer(net, Options(method) with { RegLambda = regLambda, BatchNorm = batchNorm });
        return trainer.Run(SyntheticData.Clusters(400, 1), SyntheticData.Clusters(200, 2));
    }

    [Test]
    public void NaturalTrainingLearns() =>
        Assert.That(Train(TrainingMethod.Natural, batchNorm: false)[^1].CleanAccuracy, Is.GreaterThanOrEqualTo(0.97));

    [Test]
    public void PgdTrainingLearnsRobustly()
    {
        var last = Train(TrainingMethod.Pgd, batchNorm: false)[^1];
        Assert.That(last.CleanAccuracy, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(last.PgdAccuracy, Is.GreaterThanOrEqualTo(0.9));
    }

    [Test]
    public void TradesTrainingLearnsRobustly()
    {
        var last = Train(TrainingMethod.Trades, batchNorm: false)[^1];
        Assert.That(last.CleanAccuracy, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(last.PgdAccuracy, Is.GreaterThanOrEqualTo(0.9));
    }

    [Test]
    public void IbpTrainingCertifies()
    {
        var history = Train(TrainingMethod.Ibp, batchNorm: true, regLambda: 0.5);
        Assert.That(history[^1].CleanAccuracy, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(history[^1].IbpCertifiedAccuracy, Is.GreaterThanOrEqualTo(0.9));
    }

    [Test]
    public void CrownIbpTrainingCertifies()
    {
        var history = Train(TrainingMethod.CrownIbp, batchNorm: false);
        Assert.That(history[^1].IbpCertifiedAccuracy, Is.GreaterThanOrEqualTo(0.9));
    }

    [Test]
    public void NaturalTrainingDoesNotCertify()
    {
        // The ordering certified <= PGD <= clean holds per image without and-ing with correctness.
        var net = SyntheticData.Small(conv: false, batchNorm: false, seed: 5);
        new Trainer(net, Options(TrainingMethod.Natural) with { Epochs = 5 }).Run(SyntheticData.Clusters(300, 1), SyntheticData.Clusters(50, 2));
        var set = SyntheticData.Clusters(200, 9);
        using var scope = torch.NewDisposeScope();
        var state = RunState.Eval();
        Tensor correct, certified;
        using (torch.no_grad())
        {
            correct = net.Forward(set.Images, state).argmax(1).eq(set.Labels);
            certified = MarginSpec.Certified(IbpPass.MarginLower(net, set.Images, set.Labels, 0.1, state), set.Labels);
        }
        var robust = PgdAttack.Robust(x => net.Forward(x, state), set.Images, set.Labels, 0.1, 50, 2);
        Assert.That(certified.logical_and(robust.logical_not()).any().item<bool>(), Is.False, "certified yet attacked");
        Assert.That(robust.logical_and(correct.logical_not()).any().item<bool>(), Is.False, "robust yet misclassified");
    }
}
