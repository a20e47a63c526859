namespace Lever.Evals.Retrieval;

/// <summary>A retrieval query: which index, the question, how many passages, and who is asking (for access control).</summary>
public sealed record RetrievalRequest(string Index, string Query, int K, string? User = null, IReadOnlyList<string>? Groups = null)
{
    /// <summary>Retrievers (a recipe's <c>retrieval.mode</c>); Auto is hybrid when the index has vectors, else BM25.</summary>
    public Lever.Retrieval.SearchMode Mode { get; init; } = Lever.Retrieval.SearchMode.Auto;
}
