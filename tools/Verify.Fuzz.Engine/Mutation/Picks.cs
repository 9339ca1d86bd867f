namespace Verify.Fuzz.Mutation;

/// <summary>Random choices used by the mutators.</summary>
public static class Picks
{
    /// <summary>One element of a non-empty list.</summary>
    public static T One<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Chance(this Random rng, double p) => rng.NextDouble() < p;
}
