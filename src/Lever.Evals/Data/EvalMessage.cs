namespace Lever.Evals.Data;

/// <summary>One chat turn of an eval item given as <c>messages</c>.</summary>
public sealed record EvalMessage(string Role, string Content);
