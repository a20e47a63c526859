namespace Lever.Evals.Diagnosis;

/// <summary>Why one item failed: its category, the evidence in words, and the lever it points to.</summary>
public sealed record FailureDiagnosis(string Category, string Reason, string Lever);
