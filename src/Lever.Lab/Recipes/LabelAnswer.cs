namespace Lever.Lab.Recipes;

/// <summary>A lab recipe's answer to one example: a class (Evals' RecipeAnswer is a raw chat reply with its prompt and usage).</summary>
/// <param name="Label">The predicted class.</param>
/// <param name="CostUsd">What the answer cost when a provider bills it (tokens × price); null for local compute, which the lab prices from measured time.</param>
public sealed record LabelAnswer(string Label, double? CostUsd = null);
