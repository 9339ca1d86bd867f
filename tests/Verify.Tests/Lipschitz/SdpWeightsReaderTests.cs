using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;
using Verify.Tests.Support;

namespace Verify.Tests.Lipschitz;

public class SdpWeightsReaderTests
{
    [Test]
    public void ReadsMatricesAsBiasFreeReluLayers()
    {
        var net = LipSdpWeightsReader.Parse("""{"weights": [[[1, 2], [3, 4], [5, 6]], [[1, -1, 0.5]]]}""");
        Assert.That(net.Layers.Select(l => (l.Outputs, l.Inputs)), Is.EqualTo(new[] { (3, 2), (1, 3) }));
        Assert.That(net.Layers.Select(l => l.Activation?.OpType), Is.EqualTo(new[] { "Relu", null }));
        Assert.That(net.Layers[0].Weight[2, 1], Is.EqualTo(6));
        Assert.That(net.Layers.SelectMany(l => l.Bias), Is.All.EqualTo(0));
        // f(1, 1) = relu(3, 7, 11) · (1, −1, 0.5) = 3 − 7 + 5.5
        Assert.That(net.Evaluate(new[] { 1.0, 1.0 })[0], Is.EqualTo(1.5).Within(1e-12));
    }

    [TestCase("{not json", "not valid JSON")]
    [TestCase("""{"w": []}""", "'weights'")]
    [TestCase("""{"weights": []}""", "non-empty array of matrices")]
    [TestCase("""{"weights": [[[1, 2], [3]]]}""", "weights[0], row 1: has 1 entries, row 0 has 2")]
    [TestCase("""{"weights": [[[1, "a"]]]}""", "weights[0], row 0, column 1")]
    [TestCase("""{"weights": [[[1, 2]], [[1, 2]]]}""", "weights[1] has 2 columns but weights[0] has 1 rows")]
    [TestCase("""{"weights": [[1, 2]]}""", "weights[0], row 0: expected a non-empty array of numbers")]
    public void MalformedFilesGiveAClearError(string json, string expected)
    {
        var e = Assert.Throws<VerifyException>(() => LipSdpWeightsReader.Parse(json, "net.json"));
        Assert.That(e!.Message, Does.Contain(expected).And.StartWith("net.json"));
    }

    [Test]
    public void MissingFileGivesAClearError()
    {
        var e = Assert.Throws<VerifyException>(() => LipSdpWeightsReader.Read("/nonexistent/w.json"));
        Assert.That(e!.Message, Does.Contain("not found"));
    }

    [Test]
    public void PublishedRandomNetworkHasItsLayerSizes()
    {
        var net = LipSdpWeightsReader.Read(Paths.SharedOrIgnore("benchmarks", "lipsdp", "random_weights.json"));
        Assert.That(new[] { net.InputSize }.Concat(net.Layers.Select(l => l.Outputs)), Is.EqualTo(new[] { 2, 10, 30, 20, 2 }));
    }
}
