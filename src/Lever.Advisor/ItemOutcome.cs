namespace Lever.Advisor;

/// <summary>One scored item of a measured recipe.</summary>
/// <param name="Correct">Whether the answer counts as right.</param>
/// <param name="Score">The item's score, 0–1 (1 or 0 where the task scores answers right or wrong).</param>
public sealed record ItemOutcome(bool Correct, double Score);
