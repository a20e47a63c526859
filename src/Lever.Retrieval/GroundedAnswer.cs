namespace Lever.Retrieval;

/// <summary>An answer grounded in retrieved passages.</summary>
/// <param name="Answer">The generated answer with inline [n] markers, or null when no generator is configured.</param>
/// <param name="Passages">The passages given to the generator, numbered from 1 in this order.</param>
/// <param name="Cited">The passage numbers the answer cites that exist (markers pointing nowhere are left out).</param>
public sealed record GroundedAnswer(string? Answer, IReadOnlyList<SearchHit> Passages, IReadOnlyList<int> Cited);
