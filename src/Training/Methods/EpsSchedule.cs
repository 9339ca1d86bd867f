namespace Verify.Training.Methods;

/// <summary>Shape of the epsilon ramp.</summary>
public enum RampShape
{
    /// <summary>Linear from 0 to the training epsilon.</summary>
    Linear,
    /// <summary>Polynomial (degree 4) growth for the first quarter, then linear with a continuous slope (Shi et al.).</summary>
    Smoothed,
}

/// <summary>Epsilon, kappa and beta as functions of the training step: warm-up at 0, a ramp, then constant.</summary>
/// <param name="WarmupSteps">Steps with eps = 0 (natural training).</param>
/// <param name="RampSteps">Steps of the ramp.</param>
/// <param name="Eps">The training epsilon reached at the end of the ramp.</param>
/// <param name="Shape">Ramp shape.</param>
public sealed record EpsSchedule(long WarmupSteps, long RampSteps, double Eps, RampShape Shape)
{
    const double Mid = 0.25;

    /// <summary>Progress of the ramp in [0,1] at a step.</summary>
    public double Progress(long step) =>
        step < WarmupSteps ? 0 : RampSteps <= 0 ? 1 : Math.Min(1, (double)(step - WarmupSteps) / RampSteps);

    /// <summary>Epsilon at a step.</summary>
    public double EpsAt(long step)
    {
        double p = Progress(step);
        if (Shape == RampShape.Linear) return Eps * p;
        double a = 1 / (4 * Math.Pow(Mid, 3) - 3 * Math.Pow(Mid, 4));
        double atMid = a * Math.Pow(Mid, 4);
        return Eps * (p < Mid ? a * Math.Pow(p, 4) : atMid + (1 - atMid) * (p - Mid) / (1 - Mid));
    }

    /// <summary>Linear interpolation from <paramref name="start"/> to <paramref name="end"/> over the ramp.</summary>
    public double Mix(long step, double start, double end) => start + (end - start) * Progress(step);
}
