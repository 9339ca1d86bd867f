namespace Verify.Spec;

/// <summary>One input box with the unsafe output region over it, a disjunction of conjunctions.</summary>
/// <param name="Box">The input region.</param>
/// <param name="Disjuncts">The unsafe set: the output is unsafe when it satisfies any of these conjunctions.</param>
public sealed record PropertyCase(InputBox Box, IReadOnlyList<OutputConjunction> Disjuncts);
