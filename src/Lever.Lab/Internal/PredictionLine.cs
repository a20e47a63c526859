namespace Lever.Lab.Internal;

/// <summary>One line of predictions.jsonl: what a recipe answered for one test example, and how long it took.</summary>
internal sealed record PredictionLine(string Id, string Expected, string Predicted, double LatencyMs, double? CostUsd);
