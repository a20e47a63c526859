namespace Lever.Evals.Scoring;

/// <summary>One scorer's verdict on one item: a value in [0, 1], whether that counts as a pass, and why.</summary>
public sealed record Score(string Scorer, double Value, bool Passed, string? Detail = null);
