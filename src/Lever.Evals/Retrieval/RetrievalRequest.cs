namespace Lever.Evals.Retrieval;

/// <summary>A retrieval query: which index, the question, how many passages, and who is asking (for access control).</summary>
public sealed record RetrievalRequest(string Index, string Query, int K, string? User = null, IReadOnlyList<string>? Groups = null);
