using Verify.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Tests.Operators;

/// <summary>The activations under test and float64 reference formulas for them, written independently of the operators.</summary>
public static class ReferenceActivations
{
    /// <summary>Names of every elementwise activation under test.</summary>
    public static readonly string[] Names = { "Relu", "LeakyRelu(0.01)", "LeakyRelu(0.2)", "Sigmoid", "Tanh" };

    /// <summary>The operator of the given name.</summary>
    public static ActivationOperator Create(string name) => name switch
    {
        "Relu" => new Relu(),
        "LeakyRelu(0.01)" => new LeakyRelu(0.01),
        "LeakyRelu(0.2)" => new LeakyRelu(0.2),
        "Sigmoid" => new Sigmoid(),
        "Tanh" => new Tanh(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The function of the given name on float64 points.</summary>
    public static Tensor Evaluate(string name, Tensor x)
    {
        var zero = torch.zeros_like(x);
        switch (name)
        {
            case "Relu": return torch.where(x > 0, x, zero);
            case "LeakyRelu(0.01)": return torch.where(x > 0, x, 0.01 * x);
            case "LeakyRelu(0.2)": return torch.where(x > 0, x, 0.2 * x);
            case "Sigmoid":
            {
                // e^-|x| never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) otherwise.
                var e = torch.exp(-x.abs());
                return torch.where(x >= 0, 1 / (1 + e), e / (1 + e));
            }
            case "Tanh":
            {
                var e = torch.exp(-2 * x.abs());
                var magnitude = -torch.expm1(-2 * x.abs()) / (1 + e);
                return torch.where(x >= 0, magnitude, -magnitude);
            }
            default: throw new ArgumentException(name);
        }
    }
}
