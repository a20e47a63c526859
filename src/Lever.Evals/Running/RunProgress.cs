namespace Lever.Evals.Running;

/// <summary>Progress of a run: items done (including those resumed from disk), failed calls, passes, spend so far.</summary>
public sealed record RunProgress(int Done, int Total, int Failed, int Passed, double CostUsd);
