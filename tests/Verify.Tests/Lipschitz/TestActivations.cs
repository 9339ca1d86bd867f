using Verify.Graph;
using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Lipschitz;

/// <summary>Activations by name, with the tests' own scalar formulas (independent of the operators' tensor code).</summary>
static class TestActivations
{
    /// <summary>The engine's operator for an ONNX activation name.</summary>
    public static ActivationOperator Named(string name) => name switch
    {
        "Relu" => new Relu(),
        "Sigmoid" => new Sigmoid(),
        "Tanh" => new Tanh(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>f(z) by the textbook formula; the identity for no activation.</summary>
    public static double Value(ActivationOperator? a, double z) => a?.OpType switch
    {
        null => z,
        "Relu" => Math.Max(0, z),
        "LeakyRelu" => z >= 0 ? z : ((LeakyRelu)a).Slope * z,
        "Sigmoid" => 1 / (1 + Math.Exp(-z)),
        "Tanh" => Math.Tanh(z),
        var op => throw new ArgumentException(op),
    };

    /// <summary>f'(z) by the textbook formula (ReLU: 1 for z &gt; 0); 1 for no activation.</summary>
    public static double Slope(ActivationOperator? a, double z) => a?.OpType switch
    {
        null => 1,
        "Relu" => z > 0 ? 1 : 0,
        "LeakyRelu" => z > 0 ? 1 : ((LeakyRelu)a).Slope,
        "Sigmoid" => 1 / (1 + Math.Exp(-z)) * (1 - 1 / (1 + Math.Exp(-z))),
        "Tanh" => 1 - Math.Tanh(z) * Math.Tanh(z),
        var op => throw new ArgumentException(op),
    };
}

/// <summary>x³: monotone but with no finite slope bound, for the tests of methods that need one.</summary>
sealed class CubeActivation : ActivationOperator
{
    public override string OpType => "Cube";
    public override Tensor Apply(Tensor x) => x.pow(3);
    public override Tensor Derivative(Tensor x) => 3 * x.square();
    public override IntervalBounds SlopeRange(IntervalBounds input) => throw new NotSupportedException();
    public override double MinSlope => 0;
    public override double MaxSlope => double.PositiveInfinity;
    public override Relaxation Relax(Tensor lower, Tensor upper, Tensor? alpha = null) => throw new NotSupportedException();
}
