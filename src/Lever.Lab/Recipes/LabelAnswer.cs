namespace Lever.Lab.Recipes;

/// <summary>A recipe's answer to one example.</summary>
/// <param name="Label">The predicted class.</param>
/// <param name="CostUsd">What the answer cost when a provider bills it (tokens × price); null for local compute, which the lab prices from measured time.</param>
public sealed record RecipeAnswer(string Label, double? CostUsd = null);
