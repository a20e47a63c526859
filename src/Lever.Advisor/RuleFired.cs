namespace Lever.Advisor;

/// <summary>One decision rule that fired, with the numbers it compared and where the rule comes from.</summary>
/// <param name="Rule">Stable id (<c>knowledge.large_or_changing</c>).</param>
/// <param name="Text">What it concluded, with its numbers, in a sentence.</param>
/// <param name="Numbers">The values it compared, by name.</param>
/// <param name="Source">The seed article (or run) the rule follows.</param>
public sealed record RuleFired(string Rule, string Text, IReadOnlyDictionary<string, double> Numbers, string Source);
