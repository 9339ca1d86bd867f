namespace Verify.Operators;

/// <summary>
/// The shape of a two-piece linear activation with its kink at 0: f(x) = x for x &gt;= 0 and NegativeSlope·x for
/// x &lt; 0 (ReLU: 0; LeakyReLU: its alpha). Exact MIP encodings and neuron splitting work on this form.
/// </summary>
/// <param name="NegativeSlope">The slope below 0, in [0, 1].</param>
public sealed record Hinge(double NegativeSlope);
