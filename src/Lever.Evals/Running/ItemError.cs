namespace Lever.Evals.Running;

/// <summary>One line of errors.jsonl: an item whose model call failed, and why.</summary>
public sealed record ItemError(string Id, string ItemHash, string Category, string Message, string At);
