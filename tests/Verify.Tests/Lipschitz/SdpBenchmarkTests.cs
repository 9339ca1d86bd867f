using Verify.Lipschitz.Sdp;
using Verify.Tests.Support;

using Verify.Cli.Studies;

namespace Verify.Tests.Lipschitz;

public class SdpBenchmarkTests
{
    [Test]
    public void OnnxExportOfTheRandomNetworkGivesTheSameBoundsAsItsJsonWeights()
    {
        var onnx = Paths.SharedOrIgnore("benchmarks", "lipsdp", "random_weights.onnx");
        var json = Paths.SharedOrIgnore("benchmarks", "lipsdp", "random_weights.json");
        var forms = new[] { LipSdpForm.Neuron, LipSdpForm.Layer };
        var methods = new[] { LipSdpMethod.FirstOrder };
        var fromOnnx = LipSdpBenchmark.Run(onnx, forms, methods);
        var fromJson = LipSdpBenchmark.Run(json, forms, methods);
        Assert.That(fromOnnx.LayerSizes, Is.EqualTo(new[] { 2, 10, 30, 20, 2 }));
        Assert.That(fromOnnx.Naive, Is.EqualTo(fromJson.Naive).Within(1e-4).Percent); // the ONNX file stores float32
        for (int i = 0; i < 2; i++)
            Assert.That(fromOnnx.Rows[i].Result.Upper, Is.EqualTo(fromJson.Rows[i].Result.Upper).Within(1e-3).Percent);
        var table = fromJson.ToMarkdown();
        Assert.That(table, Does.Contain("random_weights.json (2-10-30-20-2)").And.Contain("| LipSDP FirstOrder | Neuron | 36.48"));
    }
}
