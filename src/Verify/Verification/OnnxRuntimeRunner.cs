using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Verify.Verification;

/// <summary>
/// Runs the original ONNX file in ONNX Runtime, an implementation independent of ours: the referee of every
/// counterexample and of our forward pass in tests.
/// </summary>
public sealed class OnnxRuntimeRunner : IDisposable
{
    readonly InferenceSession session;
    readonly string inputName;
    readonly int[] inputShape;
    readonly bool inputIsDouble;

    /// <summary>Opens the model; a user error when ONNX Runtime cannot load it.</summary>
    public OnnxRuntimeRunner(string modelPath)
    {
        try
        {
            var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
            session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new VerifyException($"{modelPath}: ONNX Runtime cannot load the model: {e.Message}");
        }
        var input = session.InputMetadata.Single();
        inputName = input.Key;
        inputShape = input.Value.Dimensions.Select(d => d > 0 ? d : 1).ToArray();
        inputIsDouble = input.Value.ElementType == typeof(double);
    }

    /// <summary>Number of input values one sample has.</summary>
    public int InputSize => inputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>The model's (first) output for one input given flattened in C order, flattened.</summary>
    public double[] Run(double[] x)
    {
        if (x.Length != InputSize)
            throw new ArgumentException($"the model takes {InputSize} inputs, got {x.Length}");
        NamedOnnxValue value = inputIsDouble
            ? NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<double>(x.ToArray(), inputShape))
            : NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(x.Select(v => (float)v).ToArray(), inputShape));
        using var results = session.Run(new[] { value });
        var first = results.First();
        return first.Value switch
        {
            Tensor<float> f => f.ToArray().Select(v => (double)v).ToArray(),
            Tensor<double> d => d.ToArray(),
            _ => throw new InvalidOperationException($"unsupported output type of '{first.Name}'"),
        };
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();
}
