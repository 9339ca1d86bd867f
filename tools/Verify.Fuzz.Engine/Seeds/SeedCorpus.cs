using Google.Protobuf;
using Verify.Import;
using Verify.Spec;

namespace Verify.Fuzz.Seeds;

/// <summary>The valid files mutations start from: the repository's examples and the models and properties built in code.</summary>
public sealed class SeedCorpus
{
    SeedCorpus(IReadOnlyList<VnnlibSeed> vnnlib, IReadOnlyList<OnnxSeed> onnx)
    {
        Vnnlib = vnnlib;
        Onnx = onnx;
    }

    /// <summary>The VNNLIB seeds.</summary>
    public IReadOnlyList<VnnlibSeed> Vnnlib { get; }

    /// <summary>The ONNX seeds.</summary>
    public IReadOnlyList<OnnxSeed> Onnx { get; }

    /// <summary>
    /// Loads examples/*.onnx and examples/*.vnnlib from <paramref name="examples"/> (none when null) and adds the
    /// built seeds. Every seed is checked to be accepted by its parser.
    /// </summary>
    public static SeedCorpus Load(string? examples)
    {
        var onnx = new List<OnnxSeed>();
        var models = BuiltModels.All().ToList();
        var exampleModels = new Dictionary<string, (long Inputs, long Outputs)>();
        if (examples is not null)
            foreach (var path in Directory.GetFiles(examples, "*.onnx").Order())
                models.Add(($"examples/{Path.GetFileName(path)}", OnnxModelReader.Load(path)));
        foreach (var (name, model) in models)
        {
            var graph = OnnxImporter.Import(model, name);
            exampleModels[Path.GetFileNameWithoutExtension(name)] = (graph.InputSize, graph.OutputSize);
            onnx.Add(new OnnxSeed(name, model, model.ToByteArray(), BoxSpec.Text(graph.InputSize, graph.OutputSize)));
        }

        var vnnlib = new List<VnnlibSeed>(BuiltSpecs.All);
        if (examples is not null)
            foreach (var path in Directory.GetFiles(examples, "*.vnnlib").Order())
            {
                // An example property is named after its network (mnist_mlp_robust.vnnlib belongs to mnist_mlp.onnx).
                var network = exampleModels.Keys.Where(k => Path.GetFileName(path).StartsWith(k + "_", StringComparison.Ordinal))
                    .MaxBy(k => k.Length);
                var (inputs, outputs) = network is null ? (784L, 10L) : exampleModels[network];
                vnnlib.Add(new VnnlibSeed($"examples/{Path.GetFileName(path)}", File.ReadAllText(path), (int)inputs, (int)outputs));
            }
        foreach (var seed in vnnlib) VnnlibReader.Parse(seed.Text, seed.Name, seed.InputSize, seed.OutputSize);
        return new SeedCorpus(vnnlib, onnx);
    }

    /// <summary>The repository's examples folder, found above <paramref name="start"/> (the folder holding Verify.sln), or null.</summary>
    public static string? FindExamples(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Verify.sln")) && Directory.Exists(Path.Combine(dir.FullName, "examples")))
                return Path.Combine(dir.FullName, "examples");
        return null;
    }
}
