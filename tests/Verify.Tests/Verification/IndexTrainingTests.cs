using Verify.Cli.Studies;
using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Verification;

/// <summary>
/// `synth-index --trained`: the network fitted to a key distribution's CDF rises from about 0 to about 1 over [0, 1]
/// and is nearly monotone, as learned-index networks are.
/// </summary>
public class IndexTrainingTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-index-training-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    [Test]
    public void TrainedIndexNetworkFitsANearlyMonotoneCdf()
    {
        var (onnx, _) = IndexNetwork.Write(new IndexNetworkOptions(Layers: 4, Wide: 32, Narrow: 16, Boxes: 10, Seed: 9, TrainSteps: 1500), dir);
        var graph = OnnxImporter.Load(onnx);
        var y = graph.Forward(torch.linspace(0, 1, 201).reshape(201, 1, 1)).reshape(-1).to_type(ScalarType.Float64);
        Assert.That(y[0].item<double>(), Is.EqualTo(0).Within(0.15), "start of the CDF");
        // Few keys lie near 1 (the mixture's tail), so the end is fitted loosely.
        Assert.That(y[200].item<double>(), Is.InRange(0.8, 1.5), "end of the CDF");
        Assert.That(y[100].item<double>(), Is.InRange(0.2, 0.995), "the CDF rises inside");
        var rising = (y.narrow(0, 1, 200) >= y.narrow(0, 0, 200) - 1e-3).to_type(ScalarType.Float64).mean().item<double>();
        Assert.That(rising, Is.GreaterThan(0.9), "nearly monotone");
    }
}
