using Verify.Graph;

namespace Verify.Spec;

/// <summary>The numbers of inputs and outputs a VNNLIB property of a network declares.</summary>
public static class NetworkSizes
{
    /// <summary>
    /// The network's flattened input and output sizes; a user error when either is too large to be numbered by
    /// VNNLIB variables X_i and Y_j (more than <see cref="int.MaxValue"/>).
    /// </summary>
    public static (int Inputs, int Outputs) Of(ComputationGraph graph)
    {
        long inputs = graph.InputSize, outputs = graph.OutputSize;
        if (inputs is < 0 or > int.MaxValue)
            throw new VerifyException($"the network input '{graph.InputName}' has {inputs} elements, more than a property can declare ({int.MaxValue})");
        if (outputs is < 0 or > int.MaxValue)
            throw new VerifyException($"the network output '{graph.OutputName}' has {outputs} elements, more than a property can declare ({int.MaxValue})");
        return ((int)inputs, (int)outputs);
    }
}
