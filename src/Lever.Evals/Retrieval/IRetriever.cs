namespace Lever.Evals.Retrieval;

/// <summary>
/// What the recipe runner needs from retrieval: the top passages for a question, filtered by what the asking
/// user may read. Lever.Retrieval's indexes implement it through Lever.Evals.Composition, so evals run the
/// same against any index.
/// </summary>
public interface IRetriever
{
    /// <summary>Returns at most <see cref="RetrievalRequest.K"/> passages, best first.</summary>
    Task<IReadOnlyList<RetrievedPassage>> RetrieveAsync(RetrievalRequest request, CancellationToken cancellationToken = default);
}
