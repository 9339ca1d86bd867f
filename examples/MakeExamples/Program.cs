using System.Globalization;
using System.Text;
using MakeExamples;
using Verify.Training.Data;
using Verify.Import;
using TorchSharp;
using static TorchSharp.torch;

// Trains the small MNIST MLP shipped in examples/ and writes it as ONNX with two local-robustness properties.
// Usage: dotnet run --project examples/MakeExamples -- [MNIST_DIR] [OUT_DIR]
//    or: dotnet run --project examples/MakeExamples -- properties MODEL.onnx EPS COUNT [MNIST_DIR] [OUT_DIR]
//        (robustness properties of a trained model around the first COUNT test images IBP certifies at EPS)
if (args.Length > 0 && args[0] == "properties")
{
    CertifiedProperties.Write(args[1], double.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3]),
        args.Length > 4 ? args[4] : Environment.GetEnvironmentVariable("VERIFY_DATA") ?? "../shared/data/mnist",
        args.Length > 5 ? args[5] : "examples", WriteRobustness);
    return;
}
var mnistDir = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("VERIFY_DATA") ?? "../shared/data/mnist";
var outDir = args.Length > 1 ? args[1] : "examples";
torch.manual_seed(20261124);
var (trainX, trainY, n) = MnistIdx.Load(mnistDir, train: true);
var (testX, testY, nt) = MnistIdx.Load(mnistDir, train: false);
var x = torch.tensor(trainX).reshape(n, 784);
var y = torch.tensor(trainY.Select(b => (long)b).ToArray());
var fc1 = nn.Linear(784, 64);
var fc2 = nn.Linear(64, 32);
var fc3 = nn.Linear(32, 10);
var model = nn.Sequential(("fc1", fc1), ("relu1", nn.ReLU()), ("fc2", fc2), ("relu2", nn.ReLU()), ("fc3", fc3));
var opt = optim.Adam(model.parameters(), lr: 1e-3);
for (int epoch = 0; epoch < 3; epoch++)
{
    var perm = torch.randperm(n);
    for (int s = 0; s < n; s += 128)
    {
        using var scope = torch.NewDisposeScope();
        var idx = perm[s..Math.Min(n, s + 128)];
        var loss = nn.functional.cross_entropy(model.call(x.index_select(0, idx)), y.index_select(0, idx));
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
}
using (torch.no_grad())
{
    var pred = model.call(torch.tensor(testX).reshape(nt, 784)).argmax(1);
    var acc = pred.eq(torch.tensor(testY.Select(b => (long)b).ToArray())).to_type(ScalarType.Float32).mean().item<float>();
    Console.WriteLine($"test accuracy {acc:P2}");
}

var b = new OnnxModelBuilder("mnist_mlp");
var input = b.Input("input", new long[] { 1, 784 }, symbolicBatch: "batch");
string h = input;
foreach (var (name, layer, relu) in new[] { ("fc1", fc1, true), ("fc2", fc2, true), ("fc3", fc3, false) })
{
    var w = b.Initializer($"{name}.weight", layer.weight!.detach().clone());
    var bias = b.Initializer($"{name}.bias", layer.bias!.detach().clone());
    h = b.Node("Gemm", new[] { h, w, bias }, name: name, attributes: ("transB", 1L));
    if (relu) h = b.Node("Relu", new[] { h }, name: $"{name}_relu");
}
b.Output(h, new long[] { 1, 10 }, symbolicBatch: "batch");
Directory.CreateDirectory(outDir);
b.Save(Path.Combine(outDir, "mnist_mlp.onnx"));

// Local robustness of the first test image the network classifies correctly.
int sample = 0;
using (torch.no_grad())
    while (model.call(torch.tensor(testX.AsSpan(sample * 784, 784).ToArray()).reshape(1, 784)).argmax(1).item<long>() != testY[sample]) sample++;
WriteRobustness(Path.Combine(outDir, "mnist_mlp_robust.vnnlib"), testX.AsSpan(sample * 784, 784).ToArray(), testY[sample], 0.01, sample);
WriteRobustness(Path.Combine(outDir, "mnist_mlp_attackable.vnnlib"), testX.AsSpan(sample * 784, 784).ToArray(), testY[sample], 0.15, sample);
Console.WriteLine($"wrote {outDir}/mnist_mlp.onnx and two properties around test image {sample} (label {testY[sample]})");

static void WriteRobustness(string path, float[] image, int label, double eps, int index)
{
    var model = Path.GetFileNameWithoutExtension(path).Split("_robust")[0].Split("_attackable")[0] + ".onnx";
    var sb = new StringBuilder();
    var inv = CultureInfo.InvariantCulture;
    sb.AppendLine($"; Local robustness of {model} around MNIST test image {index} (label {label}), L-inf radius {eps.ToString(inv)}.");
    sb.AppendLine("; The asserts describe the unsafe set: some other class scores at least as high as the label.");
    for (int i = 0; i < 784; i++) sb.AppendLine($"(declare-const X_{i} Real)");
    for (int i = 0; i < 10; i++) sb.AppendLine($"(declare-const Y_{i} Real)");
    for (int i = 0; i < 784; i++)
    {
        double lo = Math.Max(0, image[i] - eps), hi = Math.Min(1, image[i] + eps);
        sb.AppendLine($"(assert (>= X_{i} {lo.ToString("R", inv)}))");
        sb.AppendLine($"(assert (<= X_{i} {hi.ToString("R", inv)}))");
    }
    sb.AppendLine("(assert (or");
    for (int j = 0; j < 10; j++)
        if (j != label) sb.AppendLine($"    (and (>= Y_{j} Y_{label}))");
    sb.AppendLine("))");
    File.WriteAllText(path, sb.ToString());
}
