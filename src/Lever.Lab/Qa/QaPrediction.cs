namespace Lever.Lab.Qa;

/// <summary>One answered question, as written to a recipe's <c>predictions.jsonl</c>.</summary>
/// <param name="Id">Question id.</param>
/// <param name="Expected">What a right answer contains.</param>
/// <param name="Answer">The answer given (empty: "I do not know").</param>
/// <param name="Correct">Whether <see cref="Lever.Evals.Scoring.AnswerMatcher.Contains"/> accepted it.</param>
/// <param name="Cited">The page the answer cites, if any.</param>
/// <param name="Ranked">Pages retrieved, best first (at most 10; empty without retrieval).</param>
/// <param name="Passages">Pages of the passages the answerer was given, in order.</param>
/// <param name="LatencyMs">Wall time of the whole answer: retrieval and reading or generation.</param>
/// <param name="CostUsd">What a provider billed for it (tokens × price), null for local answers.</param>
public sealed record QaPrediction(string Id, string Expected, string Answer, bool Correct, string? Cited, IReadOnlyList<string> Ranked,
    IReadOnlyList<string> Passages, double LatencyMs, double? CostUsd);
