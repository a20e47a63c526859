namespace Lever.Evals;

/// <summary>A comparison: one row per run, and the runs on the quality-versus-cost Pareto frontier.</summary>
public sealed record ComparisonResult(IReadOnlyList<ComparisonRow> Rows, IReadOnlyList<string> Frontier);
