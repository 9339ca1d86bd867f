using TorchSharp;
using Verify.Import;
using Verify.Training.Bounds;
using Verify.Training.Certification;
using Verify.Training.Export;
using Verify.Training.Methods;
using Verify.Training.Models;
using static TorchSharp.torch;

namespace Verify.Tests.Training;

/// <summary>`verify certify`'s counting on an exported, IBP-trained synthetic model.</summary>
public class EngineCertifierTests
{
    [Test]
    public void CertifiedAtMostPgdAtMostCleanAndIbpAgreesWithTraining()
    {
        var net = SyntheticData.Small(conv: true, batchNorm: false, seed: 3);
        ModelZoo.IbpInit(net);
        var options = new TrainOptions
        {
            Method = TrainingMethod.Ibp, Eps = 0.1, TrainEps = 0.1, Epochs = 15, WarmupEpochs = 1, RampEpochs = 6, BatchSize = 50,
            LearningRate = 5e-3, EvalCount = 50, EvalPgdSteps = 5, TightnessCount = 10,
        };
        new Trainer(net, options).Run(SyntheticData.Clusters(400, 1), SyntheticData.Clusters(50, 2));
        var dir = Directory.CreateTempSubdirectory("verify-certifier-").FullName;
        try
        {
            var path = Path.Combine(dir, "net.onnx");
            OnnxExport.Save(net, path);
            var graph = OnnxImporter.Load(path).To(torch.CPU, ScalarType.Float64);
            // Larger eps than trained: some images certified, some not.
            foreach (double eps in new[] { 0.1, 0.2, 0.3 })
            {
                var set = SyntheticData.Clusters(200, 21);
                var certifier = new EngineCertifier(graph, new CertifyOptions(eps, CertifyMethod.Ibp, PgdSteps: 50, PgdRestarts: 2), torch.CPU, ScalarType.Float64);
                var counts = certifier.Run(set.Images, set.Labels);
                Assert.That(counts.Count, Is.EqualTo(200));
                Assert.That(counts.Certified, Is.LessThanOrEqualTo(counts.PgdRobust));
                Assert.That(counts.PgdRobust, Is.LessThanOrEqualTo(counts.Clean));
                Assert.That(counts.Inconsistent, Is.EqualTo(0));
                long trainingSide;
                using (torch.no_grad())
                {
                    var state = RunState.Eval();
                    var correct = net.Forward(set.Images, state).argmax(1).eq(set.Labels);
                    trainingSide = MarginSpec.Certified(IbpPass.MarginLower(net, set.Images, set.Labels, eps, state), set.Labels)
                        .logical_and(correct).sum().item<long>();
                }
                Assert.That(counts.Certified, Is.EqualTo(trainingSide), $"eps {eps}");
                var auto = new EngineCertifier(graph, new CertifyOptions(eps, CertifyMethod.Auto, PgdSteps: 50, PgdRestarts: 2), torch.CPU, ScalarType.Float64)
                    .Run(set.Images, set.Labels);
                Assert.That(auto.Certified, Is.GreaterThanOrEqualTo(counts.Certified), "CROWN after IBP certifies at least as many");
                Assert.That(auto.Certified, Is.LessThanOrEqualTo(auto.PgdRobust));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
