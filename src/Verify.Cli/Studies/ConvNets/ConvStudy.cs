using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Studies.ConvNets;

/// <summary>Options of `verify conv-study`.</summary>
/// <param name="Out">Output folder (cifar/ and small/ below it).</param>
/// <param name="Families">Families to build.</param>
/// <param name="Images">Properties per family and shape.</param>
/// <param name="Eps">l∞ radius of the CIFAR-shape properties.</param>
/// <param name="SmallEps">l∞ radius of the small-shape properties.</param>
/// <param name="Training">How the trained families are trained.</param>
/// <param name="TrainCount">Training images (the first ones of MNIST's training set).</param>
/// <param name="Seed">Seed of the weights, the training order and PGD.</param>
/// <param name="DataDir">The MNIST folder.</param>
/// <param name="Timeout">Time limit written to the instance lists.</param>
public sealed record ConvStudyOptions(string Out, IReadOnlyList<ConvFamily> Families, int Images, double Eps, double SmallEps,
    FamilyTraining Training, int TrainCount, int Seed, string DataDir, double Timeout);

/// <summary>One written network: its files and figures.</summary>
/// <param name="Family">The family.</param>
/// <param name="Shape">The input shape.</param>
/// <param name="Onnx">The network's path.</param>
/// <param name="MipOnnx">The ReLU form of a MaxPool network for the exact MIP (small shape only), else null.</param>
/// <param name="Properties">The VNNLIB paths.</param>
/// <param name="Parameters">Weights and biases.</param>
/// <param name="Relus">ReLU neurons.</param>
/// <param name="Accuracy">Test accuracy on 1000 test images (for random weights: NaN).</param>
/// <param name="TrainSeconds">Training time (0 for random weights).</param>
public sealed record ConvStudyNetwork(ConvFamily Family, StudyShape Shape, string Onnx, string? MipOnnx, IReadOnlyList<string> Properties,
    long Parameters, long Relus, double Accuracy, double TrainSeconds);

/// <summary>
/// `verify conv-study`: builds, trains and writes the conv-study networks (issue 15, item 2) at CIFAR shape and at
/// the small shape, robustness properties around MNIST test images, and VNN-COMP instance lists per shape
/// (instances.csv, and FAMILY.csv per family; for the small shape also mip_instances.csv, which lists the ReLU
/// form of MaxPool networks instead, for the exact MIP's ground truth).
/// </summary>
public static class ConvStudy
{
    /// <summary>Test images the accuracy is measured on.</summary>
    public const int AccuracyImages = 1000;

    /// <summary>Writes every network and property; <paramref name="progress"/> receives each network when written.</summary>
    public static IReadOnlyList<ConvStudyNetwork> Write(ConvStudyOptions options, Action<ConvStudyNetwork>? progress = null)
    {
        var result = new List<ConvStudyNetwork>();
        foreach (var shape in new[] { StudyShape.Cifar, StudyShape.Small })
        {
            string dir = Path.Combine(options.Out, shape == StudyShape.Cifar ? "cifar" : "small");
            Directory.CreateDirectory(dir);
            var (trainX, trainY) = CifarShapedMnist.Load(options.DataDir, true, options.TrainCount, shape);
            var (testX, testY) = CifarShapedMnist.Load(options.DataDir, false, Math.Max(AccuracyImages, 4 * options.Images), shape);
            var all = new List<string>();
            var mip = new List<string>();
            foreach (var family in options.Families)
            {
                var network = Build(family, shape, dir, options, trainX, trainY, testX, testY);
                result.Add(network);
                progress?.Invoke(network);
                var lines = network.Properties.Select(p => Line(network.Onnx, p, options.Timeout)).ToList();
                File.WriteAllLines(Path.Combine(dir, $"{family.Name}.csv"), lines);
                all.AddRange(lines);
                mip.AddRange(network.Properties.Select(p => Line(network.MipOnnx ?? network.Onnx, p, options.Timeout)));
            }
            File.WriteAllLines(Path.Combine(dir, "instances.csv"), all);
            if (shape == StudyShape.Small) File.WriteAllLines(Path.Combine(dir, "mip_instances.csv"), mip);
        }
        return result;
    }

    static string Line(string onnx, string vnnlib, double timeout) =>
        $"{Path.GetFileName(onnx)},{Path.GetFileName(vnnlib)},{timeout.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>Builds (and trains) one network and writes it and its properties into <paramref name="dir"/>.</summary>
    public static ConvStudyNetwork Build(ConvFamily family, StudyShape shape, string dir, ConvStudyOptions options,
        Tensor trainX, Tensor trainY, Tensor testX, Tensor testY)
    {
        // One generator per (family, shape), so that a family's network does not depend on which others are built.
        ulong salt = (ulong)(family.Name.Aggregate(17, (h, ch) => h * 31 + ch) & 0x7fffffff) * 2 + (ulong)shape;
        var gen = new Generator((ulong)options.Seed * 1_000_003UL + salt);
        using var net = new FamilyNet(family.Layers(shape), ConvFamily.Input(shape), gen, randomBias: !family.Trained);
        double seconds = 0;
        if (family.Trained)
        {
            // The small networks (a few hundred parameters) learn too slowly at the CIFAR-shape rate: 5 times it.
            var training = options.Training with
            {
                PgdEps = shape == StudyShape.Cifar ? options.Eps : options.SmallEps,
                LearningRate = shape == StudyShape.Cifar ? options.Training.LearningRate : 5 * options.Training.LearningRate,
            };
            seconds = FamilyTrainer.Train(net, trainX, trainY, training, gen);
        }
        var predicted = FamilyTrainer.Predict(net, testX);
        double accuracy = family.Trained
            ? predicted.narrow(0, 0, AccuracyImages).eq(testY.narrow(0, 0, AccuracyImages)).to_type(ScalarType.Float64).mean().item<double>()
            : double.NaN;
        string onnx = Path.Combine(dir, $"{family.Name}.onnx");
        FamilyOnnx.Write(net, onnx);
        string? mipOnnx = null;
        if (shape == StudyShape.Small && family.Layers(shape).Any(l => l is MaxPoolLayerSpec))
        {
            mipOnnx = Path.Combine(dir, $"{family.Name}_relu_form.onnx");
            FamilyOnnx.Write(net, mipOnnx, maxPoolAsRelu: true);
        }
        // Trained networks: the first test images they classify correctly; random ones: the first images, with the
        // network's own class as the label.
        var properties = new List<string>();
        double eps = shape == StudyShape.Cifar ? options.Eps : options.SmallEps;
        var pred = predicted.data<long>().ToArray();
        var labels = testY.data<long>().ToArray();
        for (int i = 0; i < pred.Length && properties.Count < options.Images; i++)
        {
            if (family.Trained && pred[i] != labels[i]) continue;
            int label = (int)pred[i];
            var image = testX[i].contiguous().data<float>().ToArray();
            string path = Path.Combine(dir, $"{family.Name}_img{i}.vnnlib");
            File.WriteAllText(path, RobustnessVnnlib.Of(image, label, 10, eps,
                $"conv-study {family.Name} {shape}: MNIST test image {i}, label {label}{(family.Trained ? "" : " (the network's class)")}, l-inf eps {eps.ToString("R", CultureInfo.InvariantCulture)}"));
            properties.Add(path);
        }
        return new ConvStudyNetwork(family, shape, onnx, mipOnnx, properties, net.ParameterCount, net.Relus, accuracy, seconds);
    }
}
