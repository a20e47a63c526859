namespace Lever.Training.Data;

/// <summary>A line that cannot be trained on, and why.</summary>
public sealed record LineProblem(int Line, string Reason);
