namespace Lever.Retrieval;

/// <summary>
/// Re-orders the first hits of a search (a cross-encoder, or a recipe that asks a chat model which passages
/// answer the question). It may drop hits but must not add any: permissions were applied before it runs.
/// </summary>
public interface IReranker
{
    /// <summary>The hits in the new order.</summary>
    Task<IReadOnlyList<SearchHit>> RerankAsync(string query, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken);
}
