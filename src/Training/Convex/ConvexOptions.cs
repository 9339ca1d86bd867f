namespace Verify.Training.Convex;

/// <summary>Options of convex robust training of a one-hidden-layer ReLU network (Bai, Gautam, Sojoudi).</summary>
public sealed record ConvexOptions
{
    /// <summary>Hidden neurons N: ceil(N/2) sampled activation patterns, each with a +1 (u) and a -1 (v) neuron.</summary>
    public int Neurons { get; init; } = 20;
    /// <summary>The l_inf radius the program is robust to (the ball is not clipped to [0,1]: a conservative choice).</summary>
    public double Eps { get; init; } = 0.1;
    /// <summary>Regularisation weight beta.</summary>
    public double Beta { get; init; } = 1e-4;
    /// <summary>Loss.</summary>
    public ConvexLoss Loss { get; init; } = ConvexLoss.Hinge;
    /// <summary>Regulariser.</summary>
    public ConvexRegularizer Regularizer { get; init; } = ConvexRegularizer.L1;
    /// <summary>Whether pattern 0 is "all active" (a linear neuron pair, always feasible); the others are sampled.</summary>
    public bool LinearPattern { get; init; } = true;
    /// <summary>Passes over the data of the first-order solver.</summary>
    public int Epochs { get; init; } = 20;
    /// <summary>Samples per first-order step (0: the whole set).</summary>
    public int BatchSize { get; init; } = 1000;
    /// <summary>Adam's initial learning rate (cosine-decayed to 1/1000 of it).</summary>
    public double LearningRate { get; init; } = 1e-2;
    /// <summary>Weight rho of the exact (l1) penalty on the robust pattern constraints, per sample.</summary>
    public double Penalty { get; init; } = 10;
    /// <summary>
    /// Solves of the first-order solver: after each but the last, the patterns are regenerated from the solution's own
    /// hyperplanes (<see cref="ActivationPatterns.Regenerate"/>) and the next solve starts from it. 1: the sampled patterns only.
    /// </summary>
    public int PatternRounds { get; init; } = 1;
    /// <summary>Random seed (patterns, initialisation, batches).</summary>
    public long Seed { get; init; } = 1;
}
