namespace Verify.Training.Methods;

/// <summary>The training objective.</summary>
public enum TrainingMethod
{
    /// <summary>Cross-entropy on clean images.</summary>
    Natural,
    /// <summary>Madry et al.: cross-entropy on PGD adversarial examples.</summary>
    Pgd,
    /// <summary>Zhang et al. 2019: clean cross-entropy plus beta times the KL divergence to the adversarial output.</summary>
    Trades,
    /// <summary>Gowal et al.: kappa-mixed clean and IBP robust cross-entropy.</summary>
    Ibp,
    /// <summary>Zhang et al. 2020: like IBP with the robust bound beta·CROWN-IBP + (1-beta)·IBP, beta from 1 to 0.</summary>
    CrownIbp,
}
