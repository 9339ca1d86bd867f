namespace Verify.Training.Convex;

/// <summary>The per-sample loss of the convex program (labels y in {-1, +1}, prediction f).</summary>
public enum ConvexLoss
{
    /// <summary>Hinge max(0, 1 - y f); its l_inf-robust form adds eps·‖g‖₁ inside the max (an LP).</summary>
    Hinge,
    /// <summary>Squared (y - f)²; its robust form is (|y - f| + eps·‖g‖₁)² (first-order solver only).</summary>
    Squared,
}

/// <summary>The regulariser of the first-layer weights of every neuron.</summary>
public enum ConvexRegularizer
{
    /// <summary>beta · Σ_j ‖w_j‖₁: keeps the program an LP (the form the OR-Tools solver takes).</summary>
    L1,
    /// <summary>beta · Σ_j ‖w_j‖₂ (Pilanci and Ergen's group norm; a second-order cone program, first-order only).</summary>
    GroupL2,
}
